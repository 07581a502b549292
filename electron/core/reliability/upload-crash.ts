/**
 * The upload scenario of the crash harness: the built `coffer` CLI uploads a seeded random file
 * (its chunk and wave sizes, the providers' latency and the chain's mining seeded too) on a real
 * devnet and is SIGKILLed at a random point — a delay after it started, or after it reported a
 * stage (quoting, paying, storing, pulling, committing) — then resumed with `coffer uploads resume`
 * until the upload ends. After every kill: every SQLite file is intact, no quote or piece was paid
 * twice (PaymentVault's QuotePaid events), and no copy the journal calls committed is missing from
 * the chain (DataSetRegistry's PiecesAdded). At the end: the upload completed with every copy, the
 * chain holds no commit or payment the journal forgot, and every copy downloads from its own
 * provider byte for byte equal to the source.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { UploadView } from '../../../shared/api/upload';
import { UploadStage } from '../../../shared/api/upload';
import { builtPath } from '../app-paths';
import { TESTBED_PASSWORD, type UploadTestbed } from '../test-support/upload-testbed';
import { FINAL_STATES, UploadJournal } from '../upload/upload-journal';
import {
  type CrashReport,
  type CrashScenario,
  integrityViolations,
  type KillPoint,
  type ProcessRun,
  runCrashIterations,
  type SeededRandom,
  type Violation,
} from './crash-harness';
import { chainView, doublePayments, forgottenSteps, lostCopies, resultMismatches } from './upload-oracle';

export const UPLOAD_VIOLATION_KINDS = [
  'double-payment',
  'lost-copy',
  'forgotten-copy',
  'forgotten-payment',
  'double-commit',
  'bad-chunk',
  'integrity',
  'not-completed',
  'run-failed',
] as const;

/** Stages a kill can be aimed at: the process's start, and the stages its progress reports. */
const KILL_STAGES = ['start', 'started', 'quoting', 'paying', 'storing', 'pulling', 'committing'] as const;
const PROVIDER_STAGES: readonly string[] = UploadStage.options;

interface UploadIteration {
  file: string;
  source: Uint8Array;
  chunkSize: number;
  waveSize: number;
}

type Line = { event?: string; uploadId?: string; view?: UploadView };
const parseLine = (line: string): Line | null => (line.startsWith('{') ? (JSON.parse(line) as Line) : null);

/** The final view: `upload` and `uploads resume` print it as an outcome event, `uploads show` bare. */
function outcomeOf(text: string): UploadView | null {
  const line = parseLine(text);
  if (line?.event === 'upload.outcome') return line.view ?? null;
  return line && line.event === undefined && line.uploadId ? (line as UploadView) : null;
}

/** The furthest stage a progress line reports (the providers' stages; before them, the upload's state). */
function stageOf(text: string): string | null {
  const line = parseLine(text);
  if (line?.event === 'upload.started') return 'started';
  if (line?.event !== 'upload.progress' || !line.view) return null;
  if (line.view.state !== 'running') return line.view.state;
  const reached = line.view.providers
    .map((p) => PROVIDER_STAGES.indexOf(p.stage))
    .filter((i) => i >= 0 && PROVIDER_STAGES[i] !== 'failed');
  return reached.length ? PROVIDER_STAGES[Math.max(...reached)]! : 'running';
}

export async function runUploadCrashes(
  bed: UploadTestbed,
  options: { seed: number; iterations: number; log?: (line: string) => void },
): Promise<CrashReport> {
  // The CLI runs on the testbed's data folder (its wallet and deposit), in processes of its own.
  await bed.core.close();
  await writeFile(path.join(bed.dataDir, 'network.json'), JSON.stringify(bed.devnet.manifest));
  const cli = builtPath('cli', 'coffer.js');
  const common = ['--json', '--yes', '--data-dir', bed.dataDir];
  const reported = new Set<string>();
  const withJournal = <T>(work: (journal: UploadJournal) => T): T => {
    const journal = new UploadJournal(bed.dataDir);
    try {
      return work(journal);
    } finally {
      journal.close();
    }
  };
  /** The upload of this iteration's file, from the journal: the kill may come before the CLI printed its id. */
  const uploadOf = (iteration: UploadIteration) =>
    withJournal((journal) =>
      journal
        .listUploads(0, 10_000)
        .uploads.find((u) => journal.files(u.id).some((f) => f.path === iteration.file)),
    );

  const scenario: CrashScenario<UploadIteration> = {
    env: { COFFER_PASSWORD: TESTBED_PASSWORD },
    stageOf,
    async prepare(n, random) {
      const chunkSize = random.pick([16 * 1024, 32 * 1024, 64 * 1024]);
      const source = random.bytes(random.int(2, 20) * chunkSize + random.int(0, chunkSize - 1));
      const latencyMs = random.int(0, 40);
      for (const provider of bed.devnet.providers) provider.setFaults({ latencyMs });
      // Sometimes blocks every second, so kills find payments and commits sent but not mined.
      const slowChain = random.chance(0.3);
      await bed.rpc('evm_setAutomine', [!slowChain]);
      if (slowChain) await bed.rpc('evm_setIntervalMining', [1]);
      return {
        file: await bed.file(`crash-${n}.bin`, source),
        source,
        chunkSize,
        waveSize: random.int(1, 6),
      };
    },
    async command(iteration) {
      const upload = uploadOf(iteration);
      // Killed after the upload ended but before the process did: nothing to resume, only to read.
      if (upload && FINAL_STATES.has(upload.state)) return [cli, 'uploads', 'show', upload.id, ...common];
      return upload
        ? [cli, 'uploads', 'resume', upload.id, ...common]
        : [
            cli,
            'upload',
            iteration.file,
            '--chunk-size',
            String(iteration.chunkSize),
            '--wave-size',
            String(iteration.waveSize),
            ...common,
          ];
    },
    killPoint(random: SeededRandom, attempt: number): KillPoint | null {
      if (!random.chance(attempt === 0 ? 0.95 : 0.7 / attempt)) return null;
      const stage = random.pick(KILL_STAGES);
      return { stage, afterMs: stage === 'start' ? random.int(300, 3000) : random.int(0, 200) };
    },
    async afterKill(iteration) {
      const violations: Violation[] = integrityViolations(bed.dataDir);
      const chain = await chainView(bed);
      violations.push(...doublePayments(chain, reported));
      const upload = uploadOf(iteration);
      if (upload) violations.push(...withJournal((journal) => lostCopies(journal, upload.id, chain)));
      return violations;
    },
    async atEnd(iteration, run: ProcessRun) {
      const outcome = run.lines.map(outcomeOf).find((view) => view !== null);
      const violations: Violation[] = integrityViolations(bed.dataDir);
      if (outcome?.state !== 'completed' || !outcome.result || !outcome.root)
        return [
          ...violations,
          { kind: 'not-completed', detail: `ended ${outcome?.state ?? 'without an outcome'}` },
        ];
      const chain = await chainView(bed);
      violations.push(...doublePayments(chain, reported));
      violations.push(
        ...withJournal((journal) => [
          ...lostCopies(journal, outcome.uploadId, chain),
          ...forgottenSteps(journal, outcome.uploadId, chain, bed.payer),
        ]),
      );
      if (outcome.result.copies.length !== outcome.copiesRequested)
        violations.push({
          kind: 'not-completed',
          detail: `${outcome.result.copies.length} of ${outcome.copiesRequested} copies`,
        });
      violations.push(...(await resultMismatches(bed, outcome.result, iteration.source)));
      return violations;
    },
  };
  try {
    return await runCrashIterations(scenario, options);
  } finally {
    bed.clearFaults();
    await bed.rpc('evm_setAutomine', [true]);
  }
}
