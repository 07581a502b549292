/**
 * The browser-mode transport: calls and events over the browser host's WebSocket. Reconnects
 * after a drop; calls made while disconnected wait for the connection (up to a timeout).
 */
import { TOKEN_PROTOCOL_PREFIX, type ServerMessage } from '../../shared/api/host-protocol';
import type { ClientTransport } from '../../shared/api/client-builder';

const CALL_TIMEOUT_MS = 120_000;

export function createHostTransport(wsUrl: string, token: string): ClientTransport {
  let socket: WebSocket | null = null;
  let opened: Promise<WebSocket> | null = null;
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();

  const connect = (): Promise<WebSocket> => {
    if (opened) return opened;
    opened = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(wsUrl, [`${TOKEN_PROTOCOL_PREFIX}${token}`]);
      ws.onopen = () => {
        socket = ws;
        resolve(ws);
      };
      ws.onerror = () => reject(new Error('Could not reach the Coffer host'));
      ws.onclose = () => {
        socket = null;
        opened = null;
        for (const call of pending.values()) call.reject(new Error('Connection to the Coffer host was lost'));
        pending.clear();
        if (listeners.size > 0) setTimeout(() => void connect().catch(() => undefined), 1000);
      };
      ws.onmessage = (message) => onMessage(JSON.parse(String(message.data)) as ServerMessage);
    });
    return opened;
  };

  const onMessage = (message: ServerMessage) => {
    if (message.kind === 'event') {
      for (const listener of listeners.get(message.event) ?? []) listener(message.payload);
      return;
    }
    if (message.id === null) return;
    const call = pending.get(message.id);
    if (!call) return;
    pending.delete(message.id);
    call.resolve(message.kind === 'result' ? message.envelope : { ok: false, error: message.error });
  };

  return {
    async invoke(channel, input) {
      const ws = socket ?? (await connect());
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${channel} timed out`));
        }, CALL_TIMEOUT_MS);
        pending.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        ws.send(JSON.stringify({ id, method: channel, input }));
      });
    },
    subscribe(event, listener) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      void connect().catch(() => undefined);
      return () => set.delete(listener);
    },
  };
}
