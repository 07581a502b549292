/**
 * For tests: runs foundry's `cast` binary, an implementation of Ethereum encoding and JSON-RPC
 * independent of viem and of our code, to read chain state and sign typed data as an oracle.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { foundryBinary } from '../chain/foundry-binary';

const run = promisify(execFile);

export async function cast(...args: string[]): Promise<string> {
  const { stdout } = await run(foundryBinary('cast'), args, { timeout: 30_000 });
  return stdout.trim();
}

/** `cast call` of a view returning one value; cast prints numbers as "123 [1.23e2]". */
export async function castCall(
  rpcUrl: string,
  to: string,
  signature: string,
  ...args: string[]
): Promise<string> {
  const output = await cast('call', to, signature, ...args, '--rpc-url', rpcUrl);
  return output.split(' ')[0]!;
}
