/**
 * For upload tests: a real devnet (anvil with Coffer's contracts, storage-provider nodes with
 * their fault switches), and a Coffer core on it whose wallet is created, unlocked, funded from
 * the faucet and has a PaymentVault deposit. Approval requests are answered by `approver` (approve
 * everything by default), as the user would in the approval window. Files are written to a temp
 * folder; `chain` reads QuotePaid and PiecesAdded events as an independent oracle.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Hex, parseAbiItem } from 'viem';
import type { ApprovalRequest } from '../../../shared/api/approval';
import type { Address } from '../../../shared/network-manifest';
import { type DevnetProviderOptions, startDevnet, type Devnet } from '../../../devnet/start-devnet';
import { createChainPublicClient } from '../chain/contracts';
import { createCore, type Core, type CoreOptions } from '../core-app';
import { generateMnemonic } from '../vault/mnemonic';

export interface UploadTestbed {
  devnet: Devnet;
  core: Core;
  dataDir: string;
  payer: Address;
  /** Answers approval requests; tests may swap it. */
  approver: (request: ApprovalRequest) => 'approve' | 'reject' | 'ignore';
  approvals: ApprovalRequest[];
  /** Writes a file of `size` random bytes (or the given bytes) and returns its path. */
  file(name: string, content: number | Uint8Array): Promise<string>;
  /** Turns every provider's faults off. */
  clearFaults(): void;
  /** A raw JSON-RPC call to anvil (e.g. `evm_setIntervalMining`). */
  rpc(method: string, params: unknown[]): Promise<void>;
  /** Chain events as an oracle. */
  chain: {
    quotesPaid(): Promise<
      { quoteDigest: Hex; payer: Address; provider: Address; pieceDigest: Hex; txHash: Hex }[]
    >;
    piecesAdded(): Promise<{ dataSetId: bigint; pieceDigests: readonly Hex[]; txHash: Hex }[]>;
    paymentTransactions(): Promise<Set<Hex>>;
  };
  stop(): Promise<void>;
}

export const TESTBED_PASSWORD = 'upload test password';

export async function startUploadTestbed(
  options: {
    providers?: number | DevnetProviderOptions[];
    automine?: boolean;
    upload?: CoreOptions['upload'];
    deposit?: string;
    /** Where the core's sync gets note keys (default: the vault). */
    syncWallet?: CoreOptions['syncWallet'];
  } = {},
): Promise<UploadTestbed> {
  const devnet = await startDevnet({ automine: options.automine ?? true, providers: options.providers ?? 4 });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'coffer-upload-'));
  const filesDir = path.join(dataDir, 'files');
  let core: Core | undefined;
  try {
    core = await createCore({
      dataDir,
      mode: 'test',
      network: devnet.manifest,
      scrypt: { N: 2 ** 10, r: 8, p: 1 },
      syncWallet: options.syncWallet,
      upload: {
        shuffle: false,
        ...options.upload,
        runOptions: { parkTimeoutMs: 5_000, pollIntervalMs: 50, ...options.upload?.runOptions },
      },
    });
    const testbed: UploadTestbed = {
      devnet,
      core,
      dataDir,
      payer: '0x' as Address,
      approver: () => 'approve',
      approvals: [],
      async file(name, content) {
        const file = path.join(filesDir, name);
        await import('node:fs/promises').then((fs) => fs.mkdir(path.dirname(file), { recursive: true }));
        await writeFile(file, typeof content === 'number' ? randomBytes(content) : content);
        return file;
      },
      clearFaults: () => devnet.providers.forEach((provider) => provider.setFaults({})),
      async rpc(method, params) {
        const response = await fetch(devnet.manifest.rpcUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
        });
        const body = (await response.json()) as { error?: { message: string } };
        if (body.error) throw new Error(`${method}: ${body.error.message}`);
      },
      chain: chainOracle(devnet),
      async stop() {
        await core?.close();
        await devnet.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
    const { approvals, vault, chain } = core.wallet;
    approvals.onRequested((request) => {
      testbed.approvals.push(request);
      const decision = testbed.approver(request);
      if (decision !== 'ignore')
        queueMicrotask(() => approvals.respond({ id: request.id, hash: request.hash, decision }));
    });
    await vault.createFromMnemonic(generateMnemonic(), TESTBED_PASSWORD);
    await vault.unlock(TESTBED_PASSWORD);
    testbed.payer = await vault.address(0);
    await chain!.faucet(0);
    await chain!.deposit(0, options.deposit ?? '5000');
    testbed.approvals.length = 0;
    return testbed;
  } catch (error) {
    await core?.close();
    await devnet.stop();
    throw error;
  }
}

function chainOracle(devnet: Devnet): UploadTestbed['chain'] {
  const client = createChainPublicClient(devnet.manifest);
  const { paymentVault, dataSetRegistry } = devnet.manifest.contracts;
  const quotePaid = parseAbiItem(
    'event QuotePaid(bytes32 indexed quoteDigest, address indexed payer, address indexed provider, bytes32 pieceDigest, uint64 size, uint256 price)',
  );
  const piecesAdded = parseAbiItem(
    'event PiecesAdded(uint256 indexed dataSetId, uint256 firstPieceId, bytes32[] pieceDigests)',
  );
  const quotesPaid = async () =>
    (await client.getLogs({ address: paymentVault as Address, event: quotePaid, fromBlock: 0n })).map(
      (log) => ({
        quoteDigest: log.args.quoteDigest!,
        payer: log.args.payer!,
        provider: log.args.provider!,
        pieceDigest: log.args.pieceDigest!,
        txHash: log.transactionHash,
      }),
    );
  return {
    quotesPaid,
    async piecesAdded() {
      return (
        await client.getLogs({ address: dataSetRegistry as Address, event: piecesAdded, fromBlock: 0n })
      ).map((log) => ({
        dataSetId: log.args.dataSetId!,
        pieceDigests: log.args.pieceDigests!,
        txHash: log.transactionHash,
      }));
    },
    async paymentTransactions() {
      return new Set((await quotesPaid()).map((entry) => entry.txHash));
    },
  };
}
