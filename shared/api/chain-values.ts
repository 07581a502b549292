/** Schemas for chain values that cross the API: addresses, hashes, token amounts, EIP-712 domains. */
import { z } from 'zod';
import { Address } from '../network-manifest';

export { Address };

export const Hash32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'expected a 0x-prefixed 32-byte hash');

/** An amount of a token: base units as a decimal string (they overflow JS numbers), and for display. */
export const TokenAmount = z.object({
  raw: z.string().regex(/^\d+$/, 'expected base units as a decimal string'),
  decimals: z.number().int().min(0).max(36),
  symbol: z.string().max(16),
  /** `raw` in whole units, e.g. "12.5". */
  formatted: z.string().regex(/^\d+(\.\d+)?$/, 'expected a decimal number'),
});
export type TokenAmount = z.infer<typeof TokenAmount>;

/** An amount typed by a person, in whole units: "12", "0.5". */
export const DecimalAmount = z
  .string()
  .trim()
  .regex(/^\d{1,30}(\.\d{1,36})?$/, 'expected a decimal amount such as 12 or 0.5');

export const Eip712DomainSchema = z.object({
  name: z.string().max(64),
  version: z.string().max(16),
  chainId: z.number().int().positive(),
  verifyingContract: Address,
});
