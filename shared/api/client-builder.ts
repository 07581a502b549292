/**
 * Builds the renderer-facing API object (`api.upload.start(...)`, `api.on(...)`) from the
 * contract, over any transport that can invoke a channel and subscribe to events. The Electron
 * preload and the browser-host client both use it, so the renderer sees one shape everywhere.
 */
import { unwrapEnvelope } from './errors';
import {
  isContractEvent,
  listChannels,
  type ClientApi,
  type ContractShape,
  type EventSubscriber,
} from './define';

export interface ClientTransport {
  /** Sends one call; resolves with the raw envelope. */
  invoke(channel: string, input: unknown): Promise<unknown>;
  /** Subscribes to one event; returns the unsubscribe function. */
  subscribe(event: string, listener: (payload: unknown) => void): () => void;
}

export function buildClient<C extends ContractShape>(
  contract: C,
  transport: ClientTransport,
): ClientApi<C> & EventSubscriber<C> {
  const api: Record<string, unknown> = {};
  for (const [ns, name, channel] of listChannels(contract)) {
    const group = (api[ns] ??= {}) as Record<string, unknown>;
    group[name] = async (input: unknown) => unwrapEnvelope(await transport.invoke(channel, input ?? {}));
  }
  api.on = (event: string, listener: (payload: unknown) => void) => {
    if (!isContractEvent(contract, event)) throw new Error(`Unknown event: ${event}`);
    return transport.subscribe(event, listener);
  };
  return api as ClientApi<C> & EventSubscriber<C>;
}
