/**
 * Reads an account's balances straight from the devnet's chain (the manifest `npm start` wrote
 * into the data folder), independently of the app, so a test can check the numbers the UI shows.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createChainPublicClient } from '../../electron/core/chain/contracts';
import { paymentVaultAbi, testUsdAbi } from '../../shared/contracts/abis';
import { NetworkManifest, type Address } from '../../shared/network-manifest';

/** Base units, as the chain holds them. */
export interface ChainBalances {
  native: bigint;
  token: bigint;
  deposit: bigint;
  tokenDecimals: number;
}

export async function chainBalances(dataDir: string, address: Address): Promise<ChainBalances> {
  const manifest = NetworkManifest.parse(
    JSON.parse(await readFile(path.join(dataDir, 'network.json'), 'utf8')),
  );
  const client = createChainPublicClient(manifest);
  const token = manifest.contracts.token as Address;
  const [native, tokens, deposit, decimals] = await Promise.all([
    client.getBalance({ address }),
    client.readContract({ address: token, abi: testUsdAbi, functionName: 'balanceOf', args: [address] }),
    client.readContract({
      address: manifest.contracts.paymentVault as Address,
      abi: paymentVaultAbi,
      functionName: 'balanceOf',
      args: [address],
    }),
    client.readContract({ address: token, abi: testUsdAbi, functionName: 'decimals' }),
  ]);
  return { native, token: tokens, deposit, tokenDecimals: Number(decimals) };
}
