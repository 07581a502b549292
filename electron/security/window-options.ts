/**
 * The options of every Coffer window — main, drop, approval, secure views — in one Electron-free place,
 * so a test can check each window's webPreferences without the Electron runtime, and a window
 * cannot be created with settings of its own (a test checks that `new BrowserWindow` is only
 * ever called with one of these).
 */
import type { BrowserWindow, BrowserWindowConstructorOptions, Session } from 'electron';
import { hardenedWebPreferences } from './web-preferences';

export function mainWindowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 800,
    minWidth: 760,
    minHeight: 520,
    title: 'Coffer',
    show: false,
    webPreferences: hardenedWebPreferences(preload),
  };
}

/** The drop window: the app's own page in its compact layout, with the main window's preload. */
export function dropWindowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    width: 380,
    height: 540,
    minWidth: 320,
    minHeight: 360,
    title: 'Coffer — drop to upload',
    alwaysOnTop: true,
    show: false,
    webPreferences: hardenedWebPreferences(preload),
  };
}

/** The approval window: its own preload, above the main window. */
export function approvalWindowOptions(
  preload: string,
  parent?: BrowserWindow,
): BrowserWindowConstructorOptions {
  return {
    width: 560,
    height: 680,
    title: 'Coffer — approve',
    parent,
    alwaysOnTop: true,
    webPreferences: hardenedWebPreferences(preload),
  };
}

/** A secure view: no preload at all, in the in-memory session that alone serves those views. */
export function secureViewWindowOptions(
  session: Session,
  parent?: BrowserWindow,
): BrowserWindowConstructorOptions {
  return {
    width: 640,
    height: 760,
    title: 'Coffer — wallet',
    parent,
    webPreferences: { ...hardenedWebPreferences(), session },
  };
}
