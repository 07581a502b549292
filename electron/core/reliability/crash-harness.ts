/**
 * The crash-safety harness: runs a real app process, SIGKILLs it at a seeded random point (a
 * delay after it started, or a delay after it reported reaching a named stage on stdout), checks
 * the scenario's invariants on what the dead process left, and starts it again until a run ends by
 * itself. Scenarios (upload-crash.ts, sync-crash.ts) say how to start and restart the process,
 * which stage each output line reports, and what must hold after every kill and at the end.
 *
 * Everything random comes from one seed, printed with the report, so a failing run can be replayed
 * with `COFFER_CRASH_SEED=<seed>`: each iteration draws from a generator of its own (the seed and
 * its number), so its file, settings and kill points do not depend on how earlier ones went.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { integrityOk, openDatabase } from '../db/database';

/** A small seeded PRNG (mulberry32): plenty for choosing kill points, and replayable. */
export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 4) {
      const word = Math.floor(this.next() * 2 ** 32);
      for (let j = 0; j < 4 && i + j < length; j++) out[i + j] = (word >>> (8 * j)) & 0xff;
    }
    return out;
  }
}

/** The seed: COFFER_CRASH_SEED when set (to replay a run), else a fresh one. */
export function harnessSeed(): number {
  const given = process.env.COFFER_CRASH_SEED;
  if (given === undefined || given === '') return Math.floor(Math.random() * 2 ** 32);
  if (!/^\d+$/.test(given)) throw new Error(`COFFER_CRASH_SEED must be a whole number, got "${given}"`);
  return Number(given) >>> 0;
}

/** Where to kill: `afterMs` after the process reported `stage` ('start': after it was spawned). */
export interface KillPoint {
  stage: string;
  afterMs: number;
}

export interface ProcessRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: string[];
  stderr: string;
  /** The last stage the process reported before it was killed (or ended). */
  lastStage: string;
}

/**
 * Runs `args` under this Node and SIGKILLs it at `kill` (if it is still running then).
 * `stageOf` names the stage an output line reports, or null.
 */
export function runKillable(
  args: readonly string[],
  options: {
    env?: Record<string, string>;
    kill?: KillPoint | null;
    stageOf: (line: string) => string | null;
  },
): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: ProcessRun = { code: null, signal: null, lines: [], stderr: '', lastStage: 'start' };
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      timer ??= setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }, options.kill!.afterMs);
    };
    if (options.kill?.stage === 'start') arm();
    child.stderr.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      run.lines.push(line);
      const stage = options.stageOf(line);
      if (stage === null) return;
      run.lastStage = stage;
      if (stage === options.kill?.stage) arm();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      Object.assign(run, { code, signal });
      resolve(run);
    });
  });
}

/** Something that must not happen, found by a scenario's checks. */
export interface Violation {
  kind: string;
  detail: string;
}

export interface CrashReport {
  seed: number;
  iterations: number;
  /** Process runs in all (first starts and restarts). */
  runs: number;
  kills: number;
  /** Kills by where the process was (by default the last stage it reported) when it died. */
  killsByStage: Record<string, number>;
  /** Kill points chosen that the process finished before. */
  missedKills: number;
  /** Invariant checks made (after every kill and at every end). */
  checks: number;
  violations: Violation[];
}

export interface CrashScenario<Iteration> {
  /** Sets up iteration `n` (a file to upload, a fresh store…). */
  prepare(n: number, random: SeededRandom): Promise<Iteration>;
  /** The process's arguments for this attempt (0: the first start; later: after a kill). */
  command(iteration: Iteration, attempt: number, previous: ProcessRun | null): Promise<string[]>;
  env?: Record<string, string>;
  stageOf(line: string): string | null;
  /** Where a killed run was, for the report, asked after `afterKill` (default: the last stage it reported). */
  killLabel?(iteration: Iteration, run: ProcessRun): string;
  /** Picks a kill point for an attempt (0: the first start), or null to let it finish. */
  killPoint(random: SeededRandom, attempt: number, iteration: Iteration): KillPoint | null;
  /** The invariants after a kill: what the dead process left. */
  afterKill(iteration: Iteration, run: ProcessRun): Promise<Violation[]>;
  /** The invariants once a run ended by itself. */
  atEnd(iteration: Iteration, run: ProcessRun): Promise<Violation[]>;
  /** Optional per-iteration cleanup. */
  cleanup?(iteration: Iteration): Promise<void>;
}

/** Runs `iterations` of a scenario, each killed and restarted until it ends by itself. */
export async function runCrashIterations<Iteration>(
  scenario: CrashScenario<Iteration>,
  options: { seed: number; iterations: number; maxAttempts?: number; log?: (line: string) => void },
): Promise<CrashReport> {
  const log = options.log ?? (() => {});
  const report: CrashReport = {
    seed: options.seed,
    iterations: 0,
    runs: 0,
    kills: 0,
    killsByStage: {},
    missedKills: 0,
    checks: 0,
    violations: [],
  };
  const maxAttempts = options.maxAttempts ?? 12;
  for (let n = 0; n < options.iterations; n++) {
    // One generator per iteration: its choices do not depend on how earlier iterations went.
    const random = new SeededRandom(Math.imul(options.seed ^ 0x9e3779b9, n + 1) ^ n);
    const iteration = await scenario.prepare(n, random);
    let previous: ProcessRun | null = null;
    const stages: string[] = [];
    for (let attempt = 0; ; attempt++) {
      // The last attempt is never killed, so every iteration ends.
      const kill = attempt + 1 < maxAttempts ? scenario.killPoint(random, attempt, iteration) : null;
      const args = await scenario.command(iteration, attempt, previous);
      const run = await runKillable(args, { env: scenario.env, kill, stageOf: scenario.stageOf });
      report.runs++;
      report.checks++;
      if (run.signal === 'SIGKILL') {
        report.kills++;
        report.violations.push(...tagged(n, await scenario.afterKill(iteration, run)));
        const label = scenario.killLabel?.(iteration, run) ?? run.lastStage;
        report.killsByStage[label] = (report.killsByStage[label] ?? 0) + 1;
        stages.push(`${label} (aimed at ${kill!.stage}+${kill!.afterMs}ms)`);
        previous = run;
        continue;
      }
      if (kill) report.missedKills++;
      if (run.code !== 0)
        report.violations.push({
          kind: 'run-failed',
          detail: `iteration ${n}: exit ${run.code}: ${run.stderr.slice(-1500)} ${run.lines.slice(-2).join('\n').slice(-1500)}`,
        });
      else report.violations.push(...tagged(n, await scenario.atEnd(iteration, run)));
      break;
    }
    await scenario.cleanup?.(iteration);
    report.iterations++;
    log(`iteration ${n}: ${stages.length} kills ${stages.join(' ')}`);
  }
  return report;
}

const tagged = (n: number, violations: Violation[]) =>
  violations.map((v) => ({ ...v, detail: `iteration ${n}: ${v.detail}` }));

/** Counts violations of each kind (zero for the kinds named, so the summary lists them). */
function violationCounts(report: CrashReport, kinds: readonly string[]): Record<string, number> {
  const counts = Object.fromEntries(kinds.map((kind) => [kind, 0]));
  for (const v of report.violations) counts[v.kind] = (counts[v.kind] ?? 0) + 1;
  return counts;
}

/** One line a person (or a CI log) can read: the seed, the counts, every violation. */
export function summaryOf(name: string, report: CrashReport, kinds: readonly string[]): string {
  const stages = Object.entries(report.killsByStage)
    .map(([stage, n]) => `${stage} ${n}`)
    .join(', ');
  const counts = Object.entries(violationCounts(report, kinds))
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  return [
    `${name}: seed ${report.seed} (replay: COFFER_CRASH_SEED=${report.seed}), ${report.iterations} iterations, ${report.runs} runs, ${report.kills} kills (${stages || 'none'}), ${report.missedKills} kill points missed (finished first), ${report.checks} invariant checks`,
    `  violations: ${counts}`,
    ...report.violations.slice(0, 20).map((v) => `  ${v.kind}: ${v.detail}`),
  ].join('\n');
}

/** `PRAGMA integrity_check` on every SQLite file in `dir`: a violation for each that is not ok. */
export function integrityViolations(dir: string): Violation[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.sqlite'))
    .flatMap((name) => {
      const db = openDatabase(path.join(dir, name), []);
      try {
        return integrityOk(db) ? [] : [{ kind: 'integrity', detail: `${name}: integrity_check failed` }];
      } finally {
        db.close();
      }
    });
}
