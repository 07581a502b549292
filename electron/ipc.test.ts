import { describe, expect, it } from 'vitest';
import { ipcChannel } from '../shared/api/define';
import { createDispatcher } from './core/api/dispatcher';
import { bindIpc } from './ipc';
import { FakeIpcMain } from './test-support/fake-ipc-main';
import { demoContract, demoHandlers } from './test-support/demo-contract';

const ownFrame = { url: 'app://coffer/index.html', parent: null };
const setup = () => {
  const ipc = new FakeIpcMain();
  const unbind = bindIpc(ipc, demoContract, createDispatcher(demoContract, demoHandlers));
  return { ipc, unbind };
};

describe('Electron IPC binding', () => {
  it('registers exactly one handler per contract method', () => {
    const { ipc } = setup();
    expect([...ipc.handlers.keys()].sort()).toEqual(
      ['demo.fail', 'demo.leak', 'demo.plan'].map(ipcChannel).sort(),
    );
  });

  it('answers our own main frame', async () => {
    const { ipc } = setup();
    expect(await ipc.invoke(ipcChannel('demo.plan'), ownFrame, { copies: 3, name: 'x' })).toEqual({
      ok: true,
      value: { summary: 'x x3' },
    });
  });

  it('rejects an invalid payload with an error naming the bad field', async () => {
    const { ipc } = setup();
    const result = await ipc.invoke(ipcChannel('demo.plan'), ownFrame, { copies: 'two', name: 'x' });
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        message: expect.stringMatching(/^Invalid input for demo\.plan: copies/),
      },
    });
  });

  it('refuses sub-frames, other origins and missing frames before parsing anything', async () => {
    const { ipc } = setup();
    const frames = [
      { url: 'app://coffer/index.html', parent: {} },
      { url: 'https://evil.example/', parent: null },
      { url: 'file:///etc/passwd', parent: null },
      { url: 'not a url', parent: null },
      null,
    ];
    for (const frame of frames) {
      expect(await ipc.invoke(ipcChannel('demo.plan'), frame, { copies: 1, name: 'x' })).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      });
    }
  });

  it('has no way to call a method missing from the contract', async () => {
    const { ipc } = setup();
    await expect(ipc.invoke(ipcChannel('demo.secret'), ownFrame, {})).rejects.toThrow(/No handler/);
    await expect(ipc.invoke('demo.plan', ownFrame, {})).rejects.toThrow(/No handler/);
  });

  it('applies per-window limits after the frame check', async () => {
    const ipc = new FakeIpcMain();
    bindIpc(
      ipc,
      demoContract,
      createDispatcher(demoContract, demoHandlers),
      undefined,
      (channel) => channel !== 'demo.plan',
    );
    expect(await ipc.invoke(ipcChannel('demo.plan'), ownFrame, { copies: 1, name: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', message: 'This window may not call demo.plan' },
    });
    expect(await ipc.invoke(ipcChannel('demo.fail'), ownFrame, {})).toMatchObject({
      error: { code: 'NOT_FOUND' },
    });
  });

  it('removes its handlers when unbound', () => {
    const { ipc, unbind } = setup();
    unbind();
    expect(ipc.handlers.size).toBe(0);
  });
});
