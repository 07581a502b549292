/**
 * The network probe against a real anvil: online on the right chain; offline, with the reason,
 * when the RPC answers for another chain id, does not answer, or answers something that is not
 * JSON-RPC. Never an exception: the status bar and `coffer status` show the problem instead.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type Anvil } from '../../../devnet/chain/anvil';
import type { NetworkManifest } from '../../../shared/network-manifest';
import { networkWithNoteServer } from '../sync/test-support/sync-fixture';
import { probeNetwork } from './network-status';

let anvil: Anvil;
let garbage: http.Server;
let garbageUrl: string;

beforeAll(async () => {
  anvil = await startAnvil({ automine: true });
  // FAULT INJECTOR: an "RPC" that answers HTML, as a captive portal or a wrong URL would.
  garbage = http.createServer((_request, response) => response.writeHead(200).end('<html>hello</html>'));
  await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
  garbageUrl = `http://127.0.0.1:${(garbage.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await anvil?.stop();
  await new Promise((resolve) => garbage?.close(resolve));
});

const manifest = (extra: Partial<NetworkManifest>): NetworkManifest => ({
  ...networkWithNoteServer('http://127.0.0.1:9'),
  ...extra,
});

describe('network status', () => {
  it('is online on the expected chain', async () => {
    expect(await probeNetwork(manifest({ rpcUrl: anvil.rpcUrl }))).toMatchObject({
      online: true,
      chainId: 31337,
      problem: null,
    });
  });

  it('is offline, naming both chain ids, when the RPC serves another chain', async () => {
    const status = await probeNetwork(manifest({ rpcUrl: anvil.rpcUrl, chainId: 10 }));
    expect(status).toMatchObject({ online: false, chainId: 31337 });
    expect(status.problem).toMatch(/chain 31337.*expects chain 10/);
  });

  it('is offline, naming the RPC, when it does not answer or answers garbage', async () => {
    const down = await probeNetwork(manifest({ rpcUrl: 'http://127.0.0.1:1' }));
    expect(down).toMatchObject({
      online: false,
      chainId: null,
      problem: expect.stringContaining('127.0.0.1:1'),
    });
    const html = await probeNetwork(manifest({ rpcUrl: garbageUrl }));
    expect(html).toMatchObject({ online: false, problem: expect.stringContaining(garbageUrl) });
  });

  it('says how to get a network when none is configured', async () => {
    expect(await probeNetwork(null)).toMatchObject({
      kind: 'none',
      online: false,
      problem: expect.stringMatching(/npm start/),
    });
  });
});
