/**
 * The sandboxed preload: exposes `window.coffer`, built method by method from the API contract.
 * The renderer never gets `ipcRenderer` or a generic invoke; each function maps to one contract
 * channel, and event listeners receive the payload only (never the IPC event or its sender).
 */
import { contextBridge, webUtils } from 'electron';
import { buildClient } from '../shared/api/client-builder';
import { contract } from '../shared/api/contract';
import { ipcTransport } from './preload-transport';

const api = buildClient(contract, ipcTransport);

contextBridge.exposeInMainWorld('coffer', api);
/** Electron only: the path of a dropped file, so main reads it itself (the renderer never streams bytes). */
contextBridge.exposeInMainWorld('cofferFiles', {
  pathForFile: (file: File): string => webUtils.getPathForFile(file),
});
