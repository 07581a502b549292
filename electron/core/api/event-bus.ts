/**
 * A typed publish/subscribe hub for the contract's events. Core services emit; transports
 * (IPC, browser host) subscribe to everything and forward to their clients. Payloads are
 * validated on emit so a malformed event is caught where it is produced.
 */
import type { ContractShape, EventName, EventPayload, Unsubscribe } from '../../../shared/api/define';

type AnyListener = (event: string, payload: unknown) => void;

export class EventBus<C extends ContractShape> {
  readonly #listeners = new Set<AnyListener>();

  constructor(private readonly contract: C) {}

  emit<E extends EventName<C>>(event: E, payload: EventPayload<C, E>): void {
    const schema = this.contract.events[event];
    if (!schema) throw new Error(`Unknown event ${event}`);
    const parsed = schema.parse(payload);
    for (const listener of this.#listeners) {
      try {
        listener(event, parsed);
      } catch {
        // A failing subscriber (a closed socket, a destroyed window) must not stop the others.
      }
    }
  }

  /** Every event, for transports that forward them all. */
  subscribeAll(listener: AnyListener): Unsubscribe {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  on<E extends EventName<C>>(event: E, listener: (payload: EventPayload<C, E>) => void): Unsubscribe {
    return this.subscribeAll((name, payload) => {
      if (name === event) listener(payload as EventPayload<C, E>);
    });
  }
}
