/**
 * FAKE: stands in for Electron's ipcMain, which needs the Electron runtime (not installable here).
 * It records registered handlers and lets a test invoke them as a renderer frame would.
 */
import type { IpcMainLike } from '../ipc';

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: { senderFrame: unknown }, input: unknown) => unknown>();
  handle(channel: string, listener: (event: never, input: unknown) => unknown): void {
    this.handlers.set(channel, listener as never);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(channel: string, frame: { url: string; parent: unknown } | null, input: unknown): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) return Promise.reject(new Error(`No handler registered for '${channel}'`));
    return Promise.resolve(handler({ senderFrame: frame }, input));
  }
}
