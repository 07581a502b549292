/**
 * Runs anvil as a child process for the devnet and the tests: 127.0.0.1 on a port the OS picks,
 * chain id 31337, the deterministic dev accounts, blocks of 60M gas every second by default or
 * automine.
 * `startAnvil` resolves once the JSON-RPC answers; `stop()` ends it cleanly (saving its state when
 * a state file is used) and is safe to call twice. If anvil dies, the error carries its last output.
 */
import { spawn } from 'node:child_process';
import { DEV_ACCOUNT_COUNT, DEV_MNEMONIC } from './dev-accounts';
import { foundryBinary } from './foundry-binary';

export const DEVNET_CHAIN_ID = 31337;
const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const OUTPUT_LINES_KEPT = 40;
/** With a state file, anvil also saves every this many seconds, so a crash loses little. */
const STATE_INTERVAL_S = 5;
/**
 * Gas a devnet block may hold: twice anvil's default of 30M. An uploader keeps its payments in
 * flight under three quarters of a block (wave-payments.ts); a wave of 64 quotes takes ~2.3M gas,
 * so at 30M the payments for 1,000 small files (16 waves) needed two blocks, and the upload ended
 * a block later than its stores allowed.
 */
export const DEVNET_BLOCK_GAS_LIMIT = 60_000_000;

export interface AnvilOptions {
  /** Mine a block per transaction instead of on a timer (tests where timing does not matter). */
  automine?: boolean;
  /** Seconds between blocks when not automining. Default 1. */
  blockTime?: number;
  /** Load the chain from this file at start (if it exists) and save it there on stop. */
  stateFile?: string;
  /** Called if anvil exits without stop() having been called. */
  onUnexpectedExit?: (error: Error) => void;
}

export interface Anvil {
  rpcUrl: string;
  chainId: number;
  pid: number;
  stop(): Promise<void>;
}

export function anvilArguments(options: AnvilOptions): string[] {
  const args = [
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--chain-id',
    String(DEVNET_CHAIN_ID),
    '--mnemonic',
    DEV_MNEMONIC,
    '--accounts',
    String(DEV_ACCOUNT_COUNT),
    '--gas-limit',
    String(DEVNET_BLOCK_GAS_LIMIT),
  ];
  if (!options.automine) {
    const blockTime = options.blockTime ?? 1;
    if (!(blockTime > 0))
      throw new Error(`Block time must be a positive number of seconds, got ${blockTime}.`);
    args.push('--block-time', String(blockTime));
  }
  if (options.stateFile)
    args.push('--state', options.stateFile, '--state-interval', String(STATE_INTERVAL_S));
  return args;
}

export async function startAnvil(options: AnvilOptions = {}): Promise<Anvil> {
  const args = anvilArguments(options);
  const child = spawn(foundryBinary('anvil'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const recent: string[] = [];
  const describeOutput = () =>
    recent.length > 0 ? `\nLast output of anvil:\n${recent.join('\n')}` : ' (anvil printed nothing)';
  let listening: ((port: number) => void) | undefined;
  const port = new Promise<number>((resolve) => (listening = resolve));
  const remember = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      recent.push(line);
      if (recent.length > OUTPUT_LINES_KEPT) recent.shift();
      const match = /Listening on 127\.0\.0\.1:(\d+)/.exec(line);
      if (match) listening?.(Number(match[1]));
    }
  };
  child.stdout.on('data', remember);
  child.stderr.on('data', remember);

  let stopping = false;
  const exited = new Promise<Error>((resolve) => {
    child.on('error', (error) => resolve(new Error(`anvil could not run: ${error.message}`)));
    child.on('exit', (code, signal) =>
      resolve(new Error(`anvil exited (${signal ?? `code ${code}`})${describeOutput()}`)),
    );
  });
  // If this Node process exits without stopping anvil, do not leave it running.
  const killOnExit = () => child.kill('SIGTERM');
  process.on('exit', killOnExit);

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      stopping = true;
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM'); // anvil saves its state file on SIGTERM
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    })());

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  const failure = exited.then((error) => Promise.reject(error));
  const tooSlow = (what: string) =>
    new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`anvil did not ${what} within ${STARTUP_TIMEOUT_MS} ms${describeOutput()}`)),
        Math.max(0, deadline - Date.now()),
      ).unref(),
    );
  try {
    const chosenPort = await Promise.race([port, failure, tooSlow('start listening')]);
    const rpcUrl = `http://127.0.0.1:${chosenPort}`;
    const ready = { done: false };
    await Promise.race([waitForRpc(rpcUrl, ready), failure, tooSlow(`answer JSON-RPC at ${rpcUrl}`)]).finally(
      () => (ready.done = true),
    );
    // A chain loaded from a state file keeps the gas limit it was saved with (one saved before the
    // limit was raised has 30M); --gas-limit only shapes a new chain.
    if (options.stateFile) {
      const { result } = await rpcCall(rpcUrl, 'evm_setBlockGasLimit', [
        `0x${DEVNET_BLOCK_GAS_LIMIT.toString(16)}`,
      ]);
      if (result !== true)
        throw new Error(`anvil did not take the block gas limit ${DEVNET_BLOCK_GAS_LIMIT}`);
    }
    void exited.then((error) => {
      if (!stopping) options.onUnexpectedExit?.(error);
    });
    return { rpcUrl, chainId: DEVNET_CHAIN_ID, pid: child.pid!, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Polls eth_chainId until anvil answers it (it logs "Listening" just before it serves). */
async function waitForRpc(rpcUrl: string, giveUp: { done: boolean }): Promise<void> {
  while (!giveUp.done) {
    try {
      if (Number((await rpcCall(rpcUrl, 'eth_chainId', [])).result) === DEVNET_CHAIN_ID) return;
    } catch {
      // not answering yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function rpcCall(rpcUrl: string, method: string, params: unknown[]): Promise<{ result?: unknown }> {
  const response = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return (await response.json()) as { result?: unknown };
}
