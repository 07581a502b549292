/**
 * Request counters of the note server: what tests and benchmarks count (requests per route,
 * bytes served, connections opened), as JSON (`/v1/stats`) and Prometheus text (`/metrics`).
 */
import type { NoteServerRoute, NoteServerStats } from '../../shared/notes/wire';

export class RequestStats {
  private requestsTotal = 0;
  private byRoute = new Map<NoteServerRoute, number>();
  private byStatus = new Map<number, number>();
  private bytes = 0;
  private connections = 0;

  request(route: NoteServerRoute): void {
    this.requestsTotal++;
    this.byRoute.set(route, (this.byRoute.get(route) ?? 0) + 1);
  }

  response(status: number, bodyBytes: number): void {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    this.bytes += bodyBytes;
  }

  connection(): void {
    this.connections++;
  }

  reset(): void {
    this.requestsTotal = 0;
    this.byRoute.clear();
    this.byStatus.clear();
    this.bytes = 0;
    this.connections = 0;
  }

  snapshot(extra: { faultsInjected: number; treeSize: number }): NoteServerStats {
    return {
      requestsTotal: this.requestsTotal,
      requestsByRoute: Object.fromEntries(this.byRoute),
      responsesByStatus: Object.fromEntries([...this.byStatus].map(([status, n]) => [String(status), n])),
      bytesServed: this.bytes,
      connectionsTotal: this.connections,
      ...extra,
    };
  }
}

export function renderPrometheus(stats: NoteServerStats): string {
  const lines = [
    '# HELP note_server_requests_total Requests received, by route.',
    '# TYPE note_server_requests_total counter',
    ...Object.entries(stats.requestsByRoute).map(
      ([route, n]) => `note_server_requests_total{route="${route}"} ${n}`,
    ),
    '# HELP note_server_responses_total Responses sent, by HTTP status.',
    '# TYPE note_server_responses_total counter',
    ...Object.entries(stats.responsesByStatus).map(
      ([status, n]) => `note_server_responses_total{status="${status}"} ${n}`,
    ),
    '# HELP note_server_response_bytes_total Response body bytes written.',
    '# TYPE note_server_response_bytes_total counter',
    `note_server_response_bytes_total ${stats.bytesServed}`,
    '# HELP note_server_connections_total TCP connections accepted.',
    '# TYPE note_server_connections_total counter',
    `note_server_connections_total ${stats.connectionsTotal}`,
    '# HELP note_server_faults_injected_total Faults injected into responses.',
    '# TYPE note_server_faults_injected_total counter',
    `note_server_faults_injected_total ${stats.faultsInjected}`,
    '# HELP note_server_tree_size Notes in the log.',
    '# TYPE note_server_tree_size gauge',
    `note_server_tree_size ${stats.treeSize}`,
  ];
  return lines.join('\n') + '\n';
}
