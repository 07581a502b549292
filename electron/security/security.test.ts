import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, securityHeaders } from './csp';
import { resolveAssetPath } from './static-assets';
import { isTrustedSender } from './trusted-sender';
import { hardenedWebPreferences } from './web-preferences';

describe('window webPreferences', () => {
  it('are sandboxed and isolated, with Node and webviews off', () => {
    const prefs = hardenedWebPreferences('/x/preload.cjs');
    expect(prefs).toMatchObject({
      preload: '/x/preload.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });
});

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
