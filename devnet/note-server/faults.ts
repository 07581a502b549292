/**
 * Fault injection for the note server, so tests and benchmarks can make a real server misbehave
 * the ways a real rollup node does. A rule fires on binary reads (one note, its compact part or
 * payload, a compact range, a payload batch) that touch one of its indices (`at`), or on every
 * binary read when it has no `at`; `part` narrows it to reads of compact parts (one note's or a
 * range) or of payloads (one note's or a batch) — a whole-note read is both. `times` makes a fault
 * transient: it fires that many times and then the server answers normally again.
 *
 *   unavailable          503 with a JSON error
 *   truncate-body        a well-formed response whose body (and Content-Length) is cut short
 *   truncate-connection  the full Content-Length is promised, half the body is sent, the socket
 *                        is destroyed: the client sees the connection end mid-body
 *   garbage              200 with random bytes of the right length
 *   slow                 the response waits `delayMs` (default 1000) before it starts
 */
import { z } from 'zod';

export const FaultRule = z
  .object({
    kind: z.enum(['unavailable', 'truncate-body', 'truncate-connection', 'garbage', 'slow']),
    at: z.array(z.number().int().nonnegative()).min(1).optional(),
    part: z.enum(['compact', 'payload']).optional(),
    times: z.number().int().positive().optional(),
    delayMs: z.number().int().nonnegative().optional(),
  })
  .strict();
export type FaultRule = z.infer<typeof FaultRule>;
export type FaultKind = FaultRule['kind'];
export const FaultRules = z.array(FaultRule);

/** What a read touches: the note indices (a contiguous range or a list) and which part of them. */
export type Touched = ({ start: number; count: number } | { indices: readonly number[] }) & {
  part: 'compact' | 'payload' | 'note';
};

export interface FaultDecision {
  delayMs: number;
  /** How to corrupt or refuse the response; undefined to answer normally. */
  outcome?: Exclude<FaultKind, 'slow'>;
}

const DEFAULT_SLOW_MS = 1000;

function touches(rule: FaultRule, touched: Touched): boolean {
  if (rule.part && touched.part !== 'note' && touched.part !== rule.part) return false;
  if (!rule.at) return true;
  if ('indices' in touched) return touched.indices.some((index) => rule.at!.includes(index));
  return rule.at.some((index) => index >= touched.start && index < touched.start + touched.count);
}

export class FaultController {
  private rules: { rule: FaultRule; remaining: number }[] = [];
  private fired = 0;

  constructor(rules: readonly FaultRule[] = []) {
    this.set(rules);
  }

  /** Replaces every rule (an empty list turns faults off). */
  set(rules: readonly FaultRule[]): void {
    this.rules = FaultRules.parse(rules).map((rule) => ({ rule, remaining: rule.times ?? Infinity }));
  }

  get injected(): number {
    return this.fired;
  }

  /** Decides the fate of one read; consumes one firing of each rule that applies. */
  decide(touched: Touched): FaultDecision {
    const decision: FaultDecision = { delayMs: 0 };
    for (const entry of this.rules) {
      if (entry.remaining <= 0 || !touches(entry.rule, touched)) continue;
      const { kind } = entry.rule;
      if (kind === 'slow') decision.delayMs += entry.rule.delayMs ?? DEFAULT_SLOW_MS;
      else if (decision.outcome) continue;
      else decision.outcome = kind;
      entry.remaining--;
      this.fired++;
    }
    return decision;
  }
}

const isCount = (text: string) => /^[0-9]+$/.test(text) && Number.isSafeInteger(Number(text));

/** A command-line count (`--port 0`, `--latency-ms 40`); undefined when the flag is absent. */
export function parseCount(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!isCount(text)) throw new Error(`${flag}: expected a non-negative integer, got '${text}'`);
  return Number(text);
}

function parseIndices(text: string | undefined, flag: string): number[] | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(',').map((part) => part.trim());
  if (!parts.every(isCount)) throw new Error(`${flag}: expected comma-separated indices, got '${text}'`);
  return parts.map(Number);
}

/** The fault rules named by the note server's command-line flags (see cli.ts). */
export function faultsFromFlags(values: {
  'fail-at'?: string;
  truncate?: string;
  garbage?: boolean;
  'slow-ms'?: string;
  'fault-at'?: string;
  'fault-times'?: string;
}): FaultRule[] {
  const times = parseCount(values['fault-times'], '--fault-times');
  const at = parseIndices(values['fault-at'], '--fault-at');
  const common = { ...(at && { at }), ...(times && { times }) };
  const rules: FaultRule[] = [];
  const failAt = parseIndices(values['fail-at'], '--fail-at');
  if (failAt) rules.push({ kind: 'unavailable', at: failAt, ...(times && { times }) });
  if (values.truncate !== undefined) {
    if (values.truncate !== 'body' && values.truncate !== 'connection')
      throw new Error(`--truncate: expected body or connection, got '${values.truncate}'`);
    rules.push({ kind: `truncate-${values.truncate}`, ...common });
  }
  if (values.garbage) rules.push({ kind: 'garbage', ...common });
  const slowMs = parseCount(values['slow-ms'], '--slow-ms');
  if (slowMs !== undefined) rules.push({ kind: 'slow', delayMs: slowMs, ...common });
  return rules;
}
