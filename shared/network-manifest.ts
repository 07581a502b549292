/**
 * The description of a network the app can use: chain, contract addresses, storage providers and
 * the note server. The embedded devnet writes one; a custom network is the same shape.
 */
import { z } from 'zod';

export const Address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x-prefixed 20-byte address');
export type Address = `0x${string}`;

export const HttpUrl = z
  .string()
  .url()
  .refine((value) => /^https?:\/\//.test(value), 'expected an http(s) URL');

export const ProviderEntry = z.object({
  id: z.number().int().nonnegative(),
  address: Address,
  url: HttpUrl,
  endorsed: z.boolean(),
});
export type ProviderEntry = z.infer<typeof ProviderEntry>;

export const NetworkManifest = z.object({
  name: z.string().min(1),
  chainId: z.number().int().positive(),
  rpcUrl: HttpUrl,
  contracts: z.object({
    token: Address,
    providerRegistry: Address,
    paymentVault: Address,
    dataSetRegistry: Address,
  }),
  /** Storage providers known at start; the app re-reads the registry on chain for the live list. */
  providers: z.array(ProviderEntry),
  noteServerUrl: HttpUrl,
  /**
   * Devnet only: a funded account the app may use as a faucet for the user's own wallet.
   * Absent on real networks.
   */
  faucet: z.object({ privateKey: z.string().regex(/^0x[0-9a-fA-F]{64}$/) }).optional(),
});
export type NetworkManifest = z.infer<typeof NetworkManifest>;
