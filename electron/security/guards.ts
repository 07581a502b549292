/**
 * The handlers that keep every web contents and the session locked down: no navigation away
 * (except what the caller explicitly allows, e.g. a secure view's own form posts), no redirects,
 * no new windows, no <webview>, every permission denied. Written against the small slices of
 * Electron's API they use, so tests check them in plain Node.
 */
interface PreventableEvent {
  preventDefault(): void;
}

export interface WebContentsLike {
  readonly id: number;
  on(
    event: 'will-navigate' | 'will-redirect',
    listener: (event: PreventableEvent, url: string) => void,
  ): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface SessionLike {
  setPermissionRequestHandler(
    handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void;
}

/** `allowsNavigation(contentsId, url)`: the only navigations let through; default none. */
export function guardWebContents(
  contents: WebContentsLike,
  allowsNavigation: (contentsId: number, url: string) => boolean = () => false,
): void {
  contents.on('will-navigate', (event, url) => {
    if (!allowsNavigation(contents.id, url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** Camera, microphone, notifications prompts, geolocation, clipboard reads…: all refused. */
export function denyAllPermissions(session: SessionLike): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
