/**
 * The IPC transport both preloads build their API on: one `invoke` per contract channel, and event
 * listeners that receive the payload only (never the IPC event or its sender).
 */
import { ipcRenderer } from 'electron';
import type { ClientTransport } from '../shared/api/client-builder';
import { ipcChannel, ipcEventChannel } from '../shared/api/define';

export const ipcTransport: ClientTransport = {
  invoke: (channel, input) => ipcRenderer.invoke(ipcChannel(channel), input),
  subscribe: (event, listener) => {
    const handler = (_event: Electron.IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(ipcEventChannel(event), handler);
    return () => ipcRenderer.removeListener(ipcEventChannel(event), handler);
  },
};
