/**
 * Following something a provider does on its own (a pull, a commit) until it is over. Each status
 * request asks the provider to answer when the thing ends (`waitMs`), so the run learns of it at
 * once instead of at its next poll; a provider that answers at once anyway (or the thing still
 * running after the wait) is asked again no sooner than the poll interval after the last ask.
 */
import type { RunContext } from './run-context';
import { sleep } from './upload-chain';

/** How long one status request may wait for a change. */
export const STATUS_WAIT_MS = 2_000;

export async function followStatus<T>(
  context: Pick<RunContext, 'options' | 'signal'>,
  first: T,
  running: (status: T) => boolean,
  ask: (waitMs: number) => Promise<T>,
  /** Sees every answer while it runs; may throw to give up (a stall, a deadline). */
  check: (status: T) => void = () => {},
): Promise<T> {
  let status = first;
  let asked = 0;
  while (running(status)) {
    check(status);
    const early = asked + context.options.pollIntervalMs - Date.now();
    if (early > 0) await sleep(early, context.signal);
    asked = Date.now();
    status = await ask(STATUS_WAIT_MS);
  }
  return status;
}
