/**
 * How many batches each worker should have in flight, up to a cap. Every batch in flight is
 * redone after a crash, so the cap defaults to 1: at most one batch per worker is ever lost (the
 * worker still fetches its next batch meanwhile, without decrypting it: see sync-pass.ts).
 *
 * Above 1, the depth is measured, not guessed high. A worker decrypts one batch at a time; while
 * it does, its other batches are being fetched. By Little's law it stays busy with 1 + fetch time
 * / decrypt time batches in flight: at 40 ms a range read and ~20 ms to trial-decrypt 250 notes,
 * about 3. So it starts at 2 and follows a moving average of the batches' times. Per-note reads
 * are bounded by the shared request budget instead, so extra batches would only queue on it: two
 * are enough to keep the budget busy across batch boundaries.
 */
export const DEFAULT_BATCHES_PER_WORKER = 1;
export const MIN_DEPTH = 2;
export const MAX_DEPTH = 6;
/** Weight of the newest batch in the moving averages. */
const SMOOTHING = 0.2;

export class PipelineDepth {
  #fetchMs = 0;
  #decryptMs = 0;
  #samples = 0;

  constructor(
    private readonly rangeReads: boolean,
    private readonly max: number,
  ) {}

  observe(fetchMs: number, decryptMs: number): void {
    const weight = this.#samples === 0 ? 1 : SMOOTHING;
    this.#fetchMs += weight * (fetchMs - this.#fetchMs);
    this.#decryptMs += weight * (decryptMs - this.#decryptMs);
    this.#samples++;
  }

  get value(): number {
    const floor = Math.min(MIN_DEPTH, this.max);
    if (!this.rangeReads || this.#samples === 0 || this.#decryptMs <= 0) return floor;
    return Math.min(this.max, Math.max(floor, Math.ceil(1 + this.#fetchMs / this.#decryptMs)));
  }
}
