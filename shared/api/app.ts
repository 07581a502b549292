/** The `app` and `network` namespaces: what is running and what it is connected to. */
import { z } from 'zod';
import { NetworkManifest } from '../network-manifest';
import { method } from './define';

export const AppInfo = z.object({
  name: z.literal('Coffer'),
  version: z.string(),
  mode: z.enum(['electron', 'browser', 'test', 'cli']),
  platform: z.string(),
  dataDir: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const NetworkStatus = z.object({
  kind: z.enum(['devnet', 'custom', 'none']),
  online: z.boolean(),
  chainId: z.number().int().nullable(),
  blockNumber: z.number().int().nullable(),
  rpcUrl: z.string().nullable(),
  providerCount: z.number().int(),
  noteServerUrl: z.string().nullable(),
  /** Why the network is offline, in words a user can act on. */
  problem: z.string().nullable(),
});
export type NetworkStatus = z.infer<typeof NetworkStatus>;

const Empty = z.object({}).strict();

/** A network of one's own: its chain, contracts and note server, checked as a manifest checks them. */
export const CustomEndpoints = NetworkManifest.pick({
  chainId: true,
  rpcUrl: true,
  contracts: true,
  noteServerUrl: true,
}).strict();
export type CustomEndpoints = z.infer<typeof CustomEndpoints>;

/** Which network Coffer starts on: the embedded devnet, or custom endpoints. */
export const NetworkChoice = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('devnet') }).strict(),
  z.object({ kind: z.literal('custom'), endpoints: CustomEndpoints }).strict(),
]);
export type NetworkChoice = z.infer<typeof NetworkChoice>;

export const NetworkSettings = z.object({
  /** The choice saved in the data folder, used from the next start. */
  saved: NetworkChoice,
  /** What this run uses (a `--network <file>` given at start overrides the saved choice). */
  running: z.enum(['devnet', 'custom', 'none']),
  /** The saved choice differs from what is running: it applies once Coffer restarts. */
  restartNeeded: z.boolean(),
});
export type NetworkSettings = z.infer<typeof NetworkSettings>;

export const appMethods = {
  info: method('What is running: version, mode and data folder.', Empty, AppInfo),
  openDropWindow: method(
    'Opens the small always-on-top drop window where the app can (Electron); false: open it yourself.',
    Empty,
    z.object({ opened: z.boolean() }),
  ),
};

export const networkMethods = {
  status: method('The network the app is connected to and whether it answers.', Empty, NetworkStatus),
  settings: method(
    'The network Coffer starts on, and whether a restart is needed to apply it.',
    Empty,
    NetworkSettings,
  ),
  setSettings: method(
    'Saves the network to start on (applied on the next start); a custom RPC is probed, not required to answer.',
    NetworkChoice,
    NetworkSettings.extend({ probe: NetworkStatus.nullable() }),
  ),
};

export const appEvents = {
  'network.status': NetworkStatus,
};

export { Empty };
