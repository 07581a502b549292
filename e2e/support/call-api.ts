/**
 * Calls the Coffer API from a page of the app, over its own WebSocket to the browser host with the
 * page's token, as the renderer does. Tests use it to act "from outside the UI" (another client).
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
