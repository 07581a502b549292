/**
 * Electron hardening, checked in plain Node: every window's webPreferences against the security
 * rules of DESIGN.md (written out here as the oracle, not read from the factory), and the wiring
 * in the main process — that no window is built any other way, that every web contents gets the
 * navigation guards, that both sessions deny permissions, and that IPC checks its sender.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Session } from 'electron';
import { describe, expect, it } from 'vitest';
import {
  approvalWindowOptions,
  dropWindowOptions,
  mainWindowOptions,
  secureViewWindowOptions,
} from './window-options';

/** DESIGN.md, "Security rules (Electron)": isolation and sandbox on, Node and webviews off, no remote content. */
const REQUIRED = {
  sandbox: true,
  contextIsolation: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
};
/** Keys a window may set besides REQUIRED; anything else (enableBlinkFeatures, additionalArguments…) fails. */
const ALLOWED_EXTRA = new Set(['preload', 'session', 'spellcheck', 'safeDialogs']);

// Opaque stand-in for an Electron Session: the factory only passes it through.
const secureSession = { partition: 'coffer-secure-views' } as unknown as Session;

const windows = {
  main: mainWindowOptions('/app/out/preload/preload.cjs'),
  drop: dropWindowOptions('/app/out/preload/preload.cjs'),
  approval: approvalWindowOptions('/app/out/preload/approval-preload.cjs'),
  'secure view': secureViewWindowOptions(secureSession),
};

describe('every window’s webPreferences', () => {
  for (const [name, options] of Object.entries(windows)) {
    it(`${name}: sandboxed and isolated, Node and webviews off, nothing else switched on`, () => {
      const prefs = options.webPreferences as Record<string, unknown>;
      expect(prefs).toMatchObject(REQUIRED);
      const extra = Object.keys(prefs).filter((key) => !(key in REQUIRED) && !ALLOWED_EXTRA.has(key));
      expect(extra, `${name} sets ${extra.join(', ')}`).toEqual([]);
      expect(prefs.safeDialogs).not.toBe(false);
    });
  }

  it('preloads: the main window’s bridge (the drop window’s too), the approval window’s own, none for secure views', () => {
    expect(windows.main.webPreferences?.preload).toMatch(/[/\\]preload\.cjs$/);
    expect(windows.drop.webPreferences?.preload).toMatch(/[/\\]preload\.cjs$/);
    expect(windows.approval.webPreferences?.preload).toMatch(/[/\\]approval-preload\.cjs$/);
    expect(windows['secure view'].webPreferences).not.toHaveProperty('preload');
    expect(windows['secure view'].webPreferences?.session).toBe(secureSession);
  });
});

/** The main-process sources (not tests, not core): where Electron objects are created. */
async function mainProcessSources(): Promise<Map<string, string>> {
  const dir = path.dirname(import.meta.dirname);
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true })) {
    const file = String(entry);
    if (!file.endsWith('.ts') || file.endsWith('.test.ts') || file.startsWith(`core${path.sep}`)) continue;
    out.set(file, await readFile(path.join(dir, file), 'utf8'));
  }
  return out;
}

describe('main-process wiring', () => {
  it('builds every BrowserWindow from window-options, and no view of another kind', async () => {
    const sources = await mainProcessSources();
    const made: string[] = [];
    for (const [file, text] of sources) {
      for (const match of text.matchAll(/new BrowserWindow\(\s*([A-Za-z]+)\(/g)) made.push(match[1]!);
      const bare = [...text.matchAll(/new BrowserWindow\((?!\s*[A-Za-z]+WindowOptions\()/g)];
      expect(bare.length, `${file} creates a BrowserWindow with options of its own`).toBe(0);
      expect(text, file).not.toMatch(/new (BrowserView|WebContentsView)\(/);
      if (!/security[/\\](window-options|web-preferences)\.ts$/.test(file))
        expect(text, `${file} sets webPreferences itself`).not.toMatch(/webPreferences\s*:/);
    }
    expect(made.sort()).toEqual([
      'approvalWindowOptions',
      'dropWindowOptions',
      'mainWindowOptions',
      'secureViewWindowOptions',
    ]);
  });

  it('guards every web contents, denies permissions in both sessions, and checks the IPC sender', async () => {
    const sources = await mainProcessSources();
    const main = sources.get('main.ts')!;
    const walletWindows = sources.get('wallet-windows.ts')!;
    expect(main).toMatch(/app\.enableSandbox\(\)/);
    expect(main).toMatch(/app\.on\('web-contents-created',[^]*?guardWebContents\(contents/);
    expect(main).toMatch(/denyAllPermissions\(session\.defaultSession\)/);
    expect(walletWindows).toMatch(/denyAllPermissions\(ses\)/);
    // bindIpc's default sender check (isTrustedSender) is used: no custom check is passed.
    expect(main).toMatch(/bindIpc\(ipcMain, contract, core\.dispatch, undefined,/);
    // The renderer is served only through the CSP headers.
    expect(main).toMatch(/securityHeaders\(contentSecurityPolicy\(\)\)/);
  });
});
