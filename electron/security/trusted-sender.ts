/**
 * Decides whether an IPC message comes from our own renderer: the top-level frame of one of our
 * windows, showing a page of the app:// origin. Sub-frames and any other origin are refused.
 * Kept free of Electron imports so it is tested in plain Node.
 */
export const APP_ORIGIN = 'app://coffer';

export interface SenderFrameLike {
  readonly url: string;
  readonly parent: unknown;
}

export function isTrustedSender(frame: SenderFrameLike | null | undefined, origin = APP_ORIGIN): boolean {
  if (!frame) return false;
  if (frame.parent !== null) return false;
  try {
    // URL#origin is "null" for schemes Node doesn't know (app:), so compare scheme + host ourselves.
    const url = new URL(frame.url);
    return `${url.protocol}//${url.host}` === origin;
  } catch {
    return false;
  }
}
