/**
 * `node out/devnet/note-server.js [options]`: the note server on its own, for manual testing and
 * benchmarks. Prints one JSON line `{"url": …, "dataDir": …}` once listening; stops on
 * SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { faultsFromFlags, parseCount } from './faults';
import { startNoteServer } from './note-server';

const usage = `usage: note-server [options]
  --port N              port on 127.0.0.1 (default: a free one)
  --data-dir DIR        keep the log in DIR (default: a temporary folder, removed on exit)
  --latency-ms N        delay every API request by N ms (e.g. 40)
  --no-range            answer range reads with 501 (clients read note by note)
  --fail-at I,J         answer 503 to reads touching these indices
  --truncate MODE       truncate read bodies: body | connection
  --garbage             answer reads with random bytes
  --slow-ms N           delay reads by N ms more
  --fault-at I,J        limit --truncate/--garbage/--slow-ms to reads touching these indices
  --fault-times N       each fault fires N times only (transient faults)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'latency-ms': { type: 'string' },
      'no-range': { type: 'boolean' },
      'fail-at': { type: 'string' },
      truncate: { type: 'string' },
      garbage: { type: 'boolean' },
      'slow-ms': { type: 'string' },
      'fault-at': { type: 'string' },
      'fault-times': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return void console.log(usage);
  const server = await startNoteServer({
    port: parseCount(values.port, '--port') ?? 0,
    latencyMs: parseCount(values['latency-ms'], '--latency-ms') ?? 0,
    range: !values['no-range'],
    faults: faultsFromFlags(values),
    ...(values['data-dir'] && { dataDir: values['data-dir'] }),
  });
  console.log(JSON.stringify({ url: server.url, dataDir: server.dataDir }));
  const stop = () => void server.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`note-server: ${error instanceof Error ? error.message : String(error)}\n${usage}`);
  process.exit(2);
});
