/**
 * Binds the API contract to Electron IPC: one `ipcMain.handle` per contract method, each checking
 * that the caller is our own top-level app:// frame before parsing its input with the method's
 * schema (inside the dispatcher). Nothing outside the contract gets a handler, so an unknown
 * channel cannot be called. Only types come from 'electron', so tests load this in plain Node.
 */
import type { IpcMainInvokeEvent } from 'electron';
import { listChannels, ipcChannel, type ContractShape } from '../shared/api/define';
import { toErrorBody, CofferError, type Envelope } from '../shared/api/errors';
import type { Dispatch } from './core/api/dispatcher';
import { isTrustedSender, type SenderFrameLike } from './security/trusted-sender';

export type IpcEventLike = Pick<IpcMainInvokeEvent, 'senderFrame'> & { sender?: { id: number } };

/** The part of `ipcMain` this module uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, input: unknown) => unknown): void;
  removeHandler(channel: string): void;
}

export function bindIpc(
  ipcMain: IpcMainLike,
  contract: ContractShape,
  dispatch: Dispatch,
  isTrusted: (frame: SenderFrameLike | null | undefined) => boolean = isTrustedSender,
  /** Per-window limits on top of the frame check (e.g. only the approval window answers approvals). */
  mayCall: (channel: string, event: IpcEventLike) => boolean = () => true,
): () => void {
  const channels = listChannels(contract).map(([, , channel]) => channel);
  for (const channel of channels) {
    ipcMain.handle(ipcChannel(channel), async (event, input): Promise<Envelope<unknown>> => {
      if (!isTrusted(event.senderFrame as SenderFrameLike | null)) {
        return {
          ok: false,
          error: toErrorBody(new CofferError('FORBIDDEN', 'Caller is not the Coffer window')),
        };
      }
      if (!mayCall(channel, event)) {
        return {
          ok: false,
          error: toErrorBody(new CofferError('FORBIDDEN', `This window may not call ${channel}`)),
        };
      }
      return dispatch(channel, input, { transport: 'ipc' });
    });
  }
  return () => channels.forEach((channel) => ipcMain.removeHandler(ipcChannel(channel)));
}
