/**
 * `npm run notes:seed -- --count N --fraction F --address coffer1… (--url URL | --data-dir DIR)`:
 * publishes seeded notes (seed.ts) to a running note server, or to the log in DIR through a
 * note server started for the occasion. Progress goes to stderr; a JSON summary to stdout.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseCount } from './faults';
import { startNoteServer } from './note-server';
import { seedNotes } from './seed';

const usage = `usage: notes-seed --count N --fraction F (--address A | --address-file FILE) (--url URL | --data-dir DIR)
  --count N           notes to publish
  --fraction F        share of them for the address, in [0, 1] (e.g. 0.01)
  --address A         the wallet address (coffer1…); or --address-file FILE holding it
  --url URL           a running note server
  --data-dir DIR      or: seed the note log in DIR directly (a server is started on it meanwhile)
  --seed TEXT         the same seed gives the same notes (default: coffer)
  --oracle FILE       write the oracle (the address's notes: index, value, memo) as JSON
  --workers N         worker threads building notes (default: one per core; 0 = main thread)
  --batch-size N      notes per publish request (default 1000)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string' },
      fraction: { type: 'string' },
      address: { type: 'string' },
      'address-file': { type: 'string' },
      url: { type: 'string' },
      'data-dir': { type: 'string' },
      seed: { type: 'string' },
      oracle: { type: 'string' },
      workers: { type: 'string' },
      'batch-size': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return void console.log(usage);
  const count = parseCount(values.count, '--count');
  if (count === undefined) throw new Error('--count is required');
  const fraction = Number(values.fraction ?? 'NaN');
  if (!(fraction >= 0 && fraction <= 1))
    throw new Error(`--fraction: expected a number in [0, 1], got '${values.fraction}'`);
  const address = values.address ?? (values['address-file'] && readFileSync(values['address-file'], 'utf8'));
  if (!address) throw new Error('--address or --address-file is required');
  if (!values.url === !values['data-dir']) throw new Error('give exactly one of --url and --data-dir');

  const server = values['data-dir'] ? await startNoteServer({ dataDir: values['data-dir'] }) : undefined;
  const started = performance.now();
  let lastReport = 0;
  try {
    const oracle = await seedNotes({
      url: values.url ?? server!.url,
      count,
      fraction,
      address,
      ...(values.seed !== undefined && { seed: values.seed }),
      ...(values.oracle !== undefined && { oracleFile: values.oracle }),
      ...(values.workers !== undefined && { workers: parseCount(values.workers, '--workers') }),
      ...(values['batch-size'] !== undefined && {
        batchSize: parseCount(values['batch-size'], '--batch-size'),
      }),
      onProgress(published, total) {
        if (performance.now() - lastReport < 1000 && published < total) return;
        lastReport = performance.now();
        process.stderr.write(`seeded ${published}/${total} notes\n`);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(
      JSON.stringify({
        count,
        ours: oracle.ours.length,
        startIndex: oracle.startIndex,
        treeSize: oracle.treeSize,
        root: oracle.root,
        seconds: Number(seconds.toFixed(2)),
        notesPerSecond: Math.round(count / seconds),
        ...(values.oracle && { oracleFile: values.oracle }),
      }),
    );
  } finally {
    await server?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`notes-seed: ${error instanceof Error ? error.message : String(error)}\n${usage}`);
  process.exit(2);
});
