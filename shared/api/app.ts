/** The `app` and `network` namespaces: what is running and what it is connected to. */
import { z } from 'zod';
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

export const appMethods = {
  info: method('What is running: version, mode and data folder.', Empty, AppInfo),
};

export const networkMethods = {
  status: method('The network the app is connected to and whether it answers.', Empty, NetworkStatus),
};

export const appEvents = {
  'network.status': NetworkStatus,
};

export { Empty };
