/**
 * The sandboxed preload: exposes `window.coffer`, built method by method from the API contract.
 * The renderer never gets `ipcRenderer` or a generic invoke; each function maps to one contract
 * channel, and event listeners receive the payload only (never the IPC event or its sender).
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { buildClient } from '../shared/api/client-builder';
import { contract } from '../shared/api/contract';
import { ipcChannel, ipcEventChannel } from '../shared/api/define';

const api = buildClient(contract, {
  invoke: (channel, input) => ipcRenderer.invoke(ipcChannel(channel), input),
  subscribe: (event, listener) => {
    const handler = (_event: Electron.IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(ipcEventChannel(event), handler);
    return () => ipcRenderer.removeListener(ipcEventChannel(event), handler);
  },
});

contextBridge.exposeInMainWorld('coffer', api);
/** Electron only: the path of a dropped file, so main reads it itself (the renderer never streams bytes). */
contextBridge.exposeInMainWorld('cofferFiles', {
  pathForFile: (file: File): string => webUtils.getPathForFile(file),
});
