/**
 * Calls the Coffer API from a page of the app, over its own WebSocket to the browser host with the
 * page's token, as the renderer does. Tests use it to act "from outside the UI" (another client),
 * and to wait for a contract event while the UI cannot show it (e.g. behind the lock screen).
 */
import type { Page } from '@playwright/test';

/** The few browser globals the page script uses (the e2e project has no DOM typings). */
interface BrowserGlobals {
  sessionStorage: { getItem(key: string): string | null };
  location: { host: string };
}

export type ApiEnvelope<T = unknown> =
  { ok: true; value: T } | { ok: false; error: { code: string; message: string } };

export function callApi<T = unknown>(
  page: Page,
  method: string,
  input: unknown = {},
): Promise<ApiEnvelope<T>> {
  return page.evaluate(
    ([method, input]) =>
      new Promise<ApiEnvelope<T>>((resolve, reject) => {
        const page = globalThis as unknown as BrowserGlobals;
        const token = page.sessionStorage.getItem('coffer.hostToken') ?? '';
        const ws = new WebSocket(`ws://${page.location.host}/api`, [`coffer-token.${token}`]);
        ws.onerror = () => reject(new Error('socket error'));
        ws.onopen = () => ws.send(JSON.stringify({ id: 1, method, input }));
        ws.onmessage = (message) => {
          const data = JSON.parse(String(message.data));
          if (data.kind === 'result' && data.id === 1) {
            ws.close();
            resolve(data.envelope);
          }
        };
      }),
    [method, input] as const,
  );
}

let listeners = 0;

/**
 * Listens for a contract event from a page of the app, on a socket of its own. Resolves once it
 * listens, with a function that waits for the first payload whose fields equal `fields`.
 */
export async function listenForEvent<T = unknown>(
  page: Page,
  event: string,
  fields: Record<string, unknown>,
): Promise<() => Promise<T>> {
  const key = `__cofferEvent${listeners++}`;
  await page.evaluate(
    ([event, fields, key]) =>
      new Promise<void>((listening, reject) => {
        const page = globalThis as unknown as BrowserGlobals & Record<string, unknown>;
        const token = page.sessionStorage.getItem('coffer.hostToken') ?? '';
        const ws = new WebSocket(`ws://${page.location.host}/api`, [`coffer-token.${token}`]);
        ws.onerror = () => reject(new Error('socket error'));
        ws.onopen = () => listening();
        page[key] = new Promise((resolve) => {
          ws.onmessage = (message) => {
            const data = JSON.parse(String(message.data));
            if (data.kind !== 'event' || data.event !== event) return;
            if (!Object.entries(fields).every(([name, value]) => data.payload[name] === value)) return;
            ws.close();
            resolve(data.payload);
          };
        });
      }),
    [event, fields, key] as const,
  );
  return () => page.evaluate((key) => (globalThis as unknown as Record<string, Promise<T>>)[key]!, key);
}
