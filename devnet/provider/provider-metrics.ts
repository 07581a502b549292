/**
 * The provider node's metrics: counters and histograms updated as requests are served, plus the
 * gauges read from the database when asked (cache size, pieces held), as a snapshot object for
 * in-process tests and as Prometheus text for `/metrics`.
 */
import type { ProviderErrorCode } from '../../shared/provider/wire';

export const PROVIDER_ROUTES = [
  'ping',
  'quotes',
  'store',
  'store_batch',
  'piece_status',
  'retrieve',
  'retrieve_batch',
  'pull',
  'pull_status',
  'commit',
  'commit_status',
  'metrics',
  'admin',
  'unknown',
] as const;
export type ProviderRoute = (typeof PROVIDER_ROUTES)[number];

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_COUNT_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];
const BATCH_BYTES_BUCKETS = [2 ** 16, 2 ** 18, 2 ** 20, 2 ** 22, 2 ** 24, 2 ** 26, 2 ** 28];

class Histogram {
  readonly counts: number[];
  count = 0;
  sum = 0;

  constructor(readonly buckets: readonly number[]) {
    this.counts = buckets.map(() => 0);
  }

  observe(value: number): void {
    this.count++;
    this.sum += value;
    this.buckets.forEach((bound, i) => {
      if (value <= bound) this.counts[i]!++;
    });
  }

  lines(name: string, labels = ''): string[] {
    const join = (extra: string) => `{${[labels, extra].filter(Boolean).join(',')}}`;
    return [
      ...this.buckets.map((bound, i) => `${name}_bucket${join(`le="${bound}"`)} ${this.counts[i]}`),
      `${name}_bucket${join('le="+Inf"')} ${this.count}`,
      `${name}_sum${labels ? `{${labels}}` : ''} ${this.sum}`,
      `${name}_count${labels ? `{${labels}}` : ''} ${this.count}`,
    ];
  }
}

const increment = <K>(map: Map<K, number>, key: K, by = 1) => map.set(key, (map.get(key) ?? 0) + by);

/** What the database says right now; the metrics do not keep these themselves. */
export interface ProviderGauges {
  cacheBytes: number;
  cachePieces: number;
  parkedPieces: number;
  parkedBytes: number;
  committedPieces: number;
  lastBlock: number;
}

export type PieceSource = 'single' | 'batch' | 'pull';

export class ProviderMetrics {
  readonly #latency = new Map<ProviderRoute, Histogram>();
  readonly #responses = new Map<string, number>();
  readonly #errors = new Map<ProviderErrorCode, number>();
  readonly #stored = new Map<PieceSource, number>();
  readonly #commits = new Map<string, number>();
  readonly #pulls = new Map<string, number>();
  readonly #batchPieces = new Histogram(BATCH_COUNT_BUCKETS);
  readonly #batchBytes = new Histogram(BATCH_BYTES_BUCKETS);
  #bytesIn = 0;
  #bytesOut = 0;
  #promotions = 0;
  #expiries = 0;
  #cacheRejections = 0;
  #payments = 0;
  #faults = 0;

  request(route: ProviderRoute, status: number, seconds: number): void {
    let histogram = this.#latency.get(route);
    if (!histogram) this.#latency.set(route, (histogram = new Histogram(LATENCY_BUCKETS)));
    histogram.observe(seconds);
    increment(this.#responses, `${route} ${status}`);
  }

  error(code: ProviderErrorCode): void {
    increment(this.#errors, code);
    if (code === 'CACHE_FULL') this.#cacheRejections++;
  }

  bytesIn(n: number): void {
    this.#bytesIn += n;
  }

  bytesOut(n: number): void {
    this.#bytesOut += n;
  }

  batch(pieces: number, bytes: number): void {
    this.#batchPieces.observe(pieces);
    this.#batchBytes.observe(bytes);
  }

  stored(source: PieceSource): void {
    increment(this.#stored, source);
  }

  promoted(n: number): void {
    this.#promotions += n;
  }

  expired(n: number): void {
    this.#expiries += n;
  }

  paymentsSeen(n: number): void {
    this.#payments += n;
  }

  commit(outcome: 'submitted' | 'confirmed' | 'failed'): void {
    increment(this.#commits, outcome);
  }

  pull(outcome: 'started' | 'complete' | 'failed'): void {
    increment(this.#pulls, outcome);
  }

  faultInjected(): void {
    this.#faults++;
  }

  snapshot(gauges: ProviderGauges) {
    return {
      ...gauges,
      cachePromotions: this.#promotions,
      cacheExpiries: this.#expiries,
      cacheRejections: this.#cacheRejections,
      batchRequests: this.#batchPieces.count,
      batchPieces: this.#batchPieces.sum,
      batchBytes: this.#batchBytes.sum,
      requests: Object.fromEntries(
        [...this.#latency].map(([route, h]) => [route, { count: h.count, seconds: h.sum }]),
      ) as Partial<Record<ProviderRoute, { count: number; seconds: number }>>,
      responses: Object.fromEntries(this.#responses),
      errors: Object.fromEntries(this.#errors) as Partial<Record<ProviderErrorCode, number>>,
      piecesStored: Object.fromEntries(this.#stored) as Partial<Record<PieceSource, number>>,
      commits: Object.fromEntries(this.#commits) as Partial<
        Record<'submitted' | 'confirmed' | 'failed', number>
      >,
      pulls: Object.fromEntries(this.#pulls) as Partial<Record<'started' | 'complete' | 'failed', number>>,
      bytesIn: this.#bytesIn,
      bytesOut: this.#bytesOut,
      paymentsSeen: this.#payments,
      faultsInjected: this.#faults,
    };
  }

  render(gauges: ProviderGauges): string {
    const p = 'coffer_provider';
    const out: string[] = [];
    const metric = (name: string, type: string, help: string, lines: string[]) =>
      out.push(`# HELP ${p}_${name} ${help}`, `# TYPE ${p}_${name} ${type}`, ...lines);
    const single = (name: string, type: string, help: string, value: number) =>
      metric(name, type, help, [`${p}_${name} ${value}`]);
    const labelled = (name: string, type: string, help: string, label: string, map: Map<string, number>) =>
      metric(
        name,
        type,
        help,
        [...map].map(([key, value]) => `${p}_${name}{${label}="${key}"} ${value}`),
      );

    single('cache_bytes', 'gauge', 'Bytes held in the pre-registration cache.', gauges.cacheBytes);
    single('cache_pieces', 'gauge', 'Pieces held in the pre-registration cache.', gauges.cachePieces);
    single('cache_promotions_total', 'counter', 'Cached pieces promoted to parked.', this.#promotions);
    single('cache_expiries_total', 'counter', 'Cached pieces deleted unpaid at expiry.', this.#expiries);
    single(
      'cache_rejections_total',
      'counter',
      'Stores refused because the cache was full.',
      this.#cacheRejections,
    );
    single('parked_pieces', 'gauge', 'Pieces parked (paid, awaiting commit).', gauges.parkedPieces);
    single('parked_bytes', 'gauge', 'Bytes of parked pieces.', gauges.parkedBytes);
    single('committed_pieces', 'gauge', 'Pieces committed on chain.', gauges.committedPieces);
    labelled(
      'pieces_stored_total',
      'counter',
      'Pieces received and verified, by how.',
      'source',
      this.#stored,
    );
    metric(
      'batch_pieces',
      'histogram',
      'Pieces per batch store request.',
      this.#batchPieces.lines(`${p}_batch_pieces`),
    );
    metric(
      'batch_bytes',
      'histogram',
      'Declared bytes per batch store request.',
      this.#batchBytes.lines(`${p}_batch_bytes`),
    );
    metric(
      'request_duration_seconds',
      'histogram',
      'Request latency by route.',
      [...this.#latency].flatMap(([route, h]) =>
        h.lines(`${p}_request_duration_seconds`, `route="${route}"`),
      ),
    );
    metric(
      'responses_total',
      'counter',
      'Responses by route and HTTP status.',
      [...this.#responses].map(([key, value]) => {
        const [route, status] = key.split(' ');
        return `${p}_responses_total{route="${route}",status="${status}"} ${value}`;
      }),
    );
    labelled('errors_total', 'counter', 'Errors answered, by error code.', 'code', this.#errors);
    single('bytes_in_total', 'counter', 'Request body bytes read.', this.#bytesIn);
    single('bytes_out_total', 'counter', 'Response body bytes written.', this.#bytesOut);
    single('payments_seen_total', 'counter', 'QuotePaid events seen for this provider.', this.#payments);
    single('watcher_block', 'gauge', 'Last block whose payment events were processed.', gauges.lastBlock);
    labelled('commits_total', 'counter', 'Commits by outcome.', 'outcome', this.#commits);
    labelled('pulls_total', 'counter', 'Pulls by outcome.', 'outcome', this.#pulls);
    single('faults_injected_total', 'counter', 'Faults injected (devnet).', this.#faults);
    return `${out.join('\n')}\n`;
  }
}

export type ProviderMetricsSnapshot = ReturnType<ProviderMetrics['snapshot']>;
