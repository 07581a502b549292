/**
 * The devnet's chain: anvil with Coffer's contracts deployed and the dev accounts funded.
 *
 * Persistence: anvil keeps the chain in `<dir>/state.json` (saved on stop and every few seconds)
 * and the contract addresses are recorded in `<dir>/deployment.json`; the next start loads that
 * state and reuses the contracts, checking that they still have code (and deploying again if not,
 * e.g. after the state file was deleted).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { createChainPublicClient } from '../../electron/core/chain/contracts';
import { Address } from '../../shared/network-manifest';
import { type Anvil, type AnvilOptions, startAnvil } from './anvil';
import { type ContractAddresses, deployContracts } from './deploy';

export interface DevnetChain {
  rpcUrl: string;
  chainId: number;
  contracts: ContractAddresses;
  stop(): Promise<void>;
}

export interface DevnetChainOptions extends Pick<
  AnvilOptions,
  'automine' | 'blockTime' | 'onUnexpectedExit'
> {
  /** Directory for the chain state and the deployment record (created by the caller). */
  dir: string;
  /** Progress and problems, one line each; default: silent. */
  log?: (line: string) => void;
}

const Deployment = z.object({
  chainId: z.number().int(),
  contracts: z.object({
    token: Address,
    providerRegistry: Address,
    paymentVault: Address,
    dataSetRegistry: Address,
  }),
});
type Deployment = z.infer<typeof Deployment>;

export async function startDevnetChain(options: DevnetChainOptions): Promise<DevnetChain> {
  const log = options.log ?? (() => {});
  const anvil = await startAnvil({ ...options, stateFile: path.join(options.dir, 'state.json') });
  try {
    log(`anvil is listening at ${anvil.rpcUrl} (chain ${anvil.chainId})`);
    const contracts = await ensureDeployed(anvil, path.join(options.dir, 'deployment.json'), log);
    return { rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, contracts, stop: anvil.stop };
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}

async function ensureDeployed(
  anvil: Anvil,
  file: string,
  log: (line: string) => void,
): Promise<ContractAddresses> {
  const network = { name: 'devnet', rpcUrl: anvil.rpcUrl, chainId: anvil.chainId };
  const recorded = await readDeployment(file);
  if (recorded && recorded.chainId === anvil.chainId) {
    const client = createChainPublicClient(network);
    const codes = await Promise.all(
      Object.values(recorded.contracts).map((address) => client.getCode({ address: address as Address })),
    );
    if (codes.every((code) => code && code !== '0x')) {
      log(`Reusing the contracts recorded in ${file}`);
      return recorded.contracts;
    }
    log(`The chain no longer holds the contracts recorded in ${file}: deploying them again.`);
  }
  const contracts = await deployContracts(network);
  const deployment: Deployment = { chainId: anvil.chainId, contracts };
  await writeFile(file, `${JSON.stringify(deployment, null, 2)}\n`);
  log('Deployed the devnet contracts and funded the dev accounts');
  return contracts;
}

async function readDeployment(file: string): Promise<Deployment | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${(error as Error).message}); delete it to deploy afresh.`);
  }
  const parsed = Deployment.safeParse(json);
  if (!parsed.success)
    throw new Error(
      `${file} is not a devnet deployment record (${parsed.error.message}); delete it to deploy afresh.`,
    );
  return parsed.data;
}
