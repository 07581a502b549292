import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, securityHeaders } from './csp';
import { denyAllPermissions, guardWebContents } from './guards';
import { resolveAssetPath } from './static-assets';
import { isTrustedSender } from './trusted-sender';

describe('Content-Security-Policy', () => {
  const directives = (csp: string) =>
    Object.fromEntries(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));

  it('allows only our own scripts and styles, nothing inline or remote', () => {
    const d = directives(contentSecurityPolicy());
    expect(d['default-src']).toEqual(["'none'"]);
    expect(d['script-src']).toEqual(["'self'"]);
    expect(d['style-src']).toEqual(["'self'"]);
    expect(d['object-src']).toEqual(["'none'"]);
    expect(d['frame-ancestors']).toEqual(["'none'"]);
    expect(contentSecurityPolicy()).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('adds the browser host socket to connect-src only when asked', () => {
    expect(
      directives(contentSecurityPolicy({ connectSources: ['ws://127.0.0.1:5000'] }))['connect-src'],
    ).toEqual(["'self'", 'ws://127.0.0.1:5000']);
    expect(securityHeaders('x')).toMatchObject({
      'Content-Security-Policy': 'x',
      'X-Content-Type-Options': 'nosniff',
    });
  });
});

describe('renderer asset paths', () => {
  const root = '/srv/renderer';
  it('maps ordinary paths inside the renderer folder', () => {
    expect(resolveAssetPath(root, '/')).toBe(path.join(root, 'index.html'));
    expect(resolveAssetPath(root, '/assets/index-1.js')).toBe(path.join(root, 'assets/index-1.js'));
  });
  it('refuses traversal, encoded separators, backslashes and NUL', () => {
    for (const bad of [
      '/../etc/passwd',
      '/..%2f..%2fetc/passwd',
      '/%2e%2e/x',
      '/a/../../b',
      '/a%5c..%5cb',
      '/a%00.js',
      '/%E0%A4%A',
    ]) {
      expect(resolveAssetPath(root, bad), bad).toBeNull();
    }
  });
});

describe('IPC sender check', () => {
  it('trusts only the top frame of an app://coffer page', () => {
    expect(isTrustedSender({ url: 'app://coffer/index.html', parent: null })).toBe(true);
    expect(isTrustedSender({ url: 'app://coffer/index.html', parent: {} })).toBe(false);
    expect(isTrustedSender({ url: 'app://other/index.html', parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'http://127.0.0.1:3000/', parent: null })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
  });
});

describe('web contents and session guards', () => {
  /** FAKE: records the handlers Electron would call; the real WebContents needs the Electron runtime. */
  class FakeContents {
    readonly id = 7;
    readonly listeners = new Map<string, (event: { preventDefault(): void }, url: string) => void>();
    openHandler: ((details: { url: string }) => { action: string }) | null = null;
    on(event: string, listener: (event: { preventDefault(): void }, url: string) => void) {
      this.listeners.set(event, listener);
    }
    setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }) {
      this.openHandler = handler;
    }
    fire(event: string, url?: string): boolean {
      let prevented = false;
      this.listeners.get(event)!({ preventDefault: () => (prevented = true) }, url ?? '');
      return prevented;
    }
  }

  it('blocks navigation, redirects, webviews and new windows', () => {
    const contents = new FakeContents();
    guardWebContents(contents);
    expect(contents.fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.fire('will-navigate', 'app://coffer/index.html')).toBe(true);
    expect(contents.fire('will-redirect', 'https://evil.example/')).toBe(true);
    expect(contents.fire('will-attach-webview')).toBe(true);
    expect(contents.openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });

  it('lets through only the navigations the caller allows for that contents', () => {
    const contents = new FakeContents();
    guardWebContents(contents, (id, url) => id === 7 && url === 'app://secure/view/1');
    expect(contents.fire('will-navigate', 'app://secure/view/1')).toBe(false);
    expect(contents.fire('will-navigate', 'app://secure/view/2')).toBe(true);
  });

  it('denies every permission request and check', () => {
    let request: ((c: unknown, p: string, cb: (granted: boolean) => void) => void) | null = null;
    let check: ((c: unknown, p: string) => boolean) | null = null;
    denyAllPermissions({
      setPermissionRequestHandler: (handler) => (request = handler),
      setPermissionCheckHandler: (handler) => (check = handler),
    });
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      let granted: boolean | null = null;
      request!(null, permission, (answer) => (granted = answer));
      expect(granted, permission).toBe(false);
      expect(check!(null, permission), permission).toBe(false);
    }
  });
});
