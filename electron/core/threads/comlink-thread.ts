/**
 * A worker thread running one of our bundles (out/workers/*.js), wrapped with comlink and typed by
 * the API object the bundle exposes. A thread that crashes or exits rejects every call still
 * waiting on it, with the error `lost` makes of what happened, so a dead thread surfaces as an
 * error instead of a hang.
 */
import { releaseProxy, wrap, type Remote } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { Worker } from 'node:worker_threads';

export class ComlinkThread<Api> {
  readonly api: Remote<Api>;
  readonly #thread: Worker;
  readonly #gone: Promise<never>;

  /** `lost` turns "crashed: …" or "stopped (exit code N)" into the error callers see. */
  constructor(file: string, lost: (what: string) => Error) {
    this.#thread = new Worker(file);
    this.api = wrap<Api>(nodeEndpoint(this.#thread));
    this.#gone = new Promise<never>((_, reject) => {
      this.#thread.once('error', (error) => reject(lost(`crashed: ${error.message}`)));
      this.#thread.once('exit', (code) => reject(lost(`stopped (exit code ${code})`)));
    });
    this.#gone.catch(() => {});
  }

  /** Calls the thread; rejects if it dies before answering. */
  call<R extends Promise<unknown>>(use: (api: Remote<Api>) => R): Promise<Awaited<R>> {
    return Promise.race([use(this.api) as Promise<Awaited<R>>, this.#gone]);
  }

  async terminate(): Promise<void> {
    this.api[releaseProxy]();
    await this.#thread.terminate();
  }
}
