/**
 * EIP-712 typed-data definitions for every payload Coffer signs or verifies. The Solidity
 * contracts (devnet/contracts) hash exactly these structs; the signer, the storage providers and
 * the tests all import them from here so the two sides cannot drift.
 *
 * - Quote: signed by a storage provider, paid by the client in PaymentVault.payForQuotes.
 * - CreateDataSet / AddPieces: signed by the payer (the client), submitted on chain by the provider.
 *   One AddPieces signature per provider per upload authorises both the provider-to-provider pull
 *   and the commit. Its nonce is a random bytes32 (unordered), so commits may land in any order.
 * - Permit: EIP-2612, for depositing into PaymentVault in one transaction.
 */
import type { Address } from '../network-manifest';

export const DOMAIN_NAMES = {
  paymentVault: { name: 'CofferPaymentVault', version: '1' },
  dataSetRegistry: { name: 'CofferDataSetRegistry', version: '1' },
  token: { name: 'Coffer Test USD', version: '1' },
} as const;

export interface Eip712Domain {
  name: string;
  version: string;
  chainId: number;
  verifyingContract: Address;
}

export function domainFor(
  kind: keyof typeof DOMAIN_NAMES,
  chainId: number,
  verifyingContract: Address,
): Eip712Domain {
  return { ...DOMAIN_NAMES[kind], chainId, verifyingContract };
}

export const quoteTypes = {
  Quote: [
    { name: 'provider', type: 'address' },
    { name: 'payer', type: 'address' },
    { name: 'pieceDigest', type: 'bytes32' },
    { name: 'size', type: 'uint64' },
    { name: 'price', type: 'uint256' },
    { name: 'expiry', type: 'uint64' },
    { name: 'nonce', type: 'bytes32' },
  ],
} as const;

export const createDataSetTypes = {
  CreateDataSet: [
    { name: 'payer', type: 'address' },
    { name: 'provider', type: 'address' },
    { name: 'clientDataSetId', type: 'uint256' },
    { name: 'deadline', type: 'uint64' },
  ],
} as const;

export const addPiecesTypes = {
  AddPieces: [
    { name: 'payer', type: 'address' },
    { name: 'provider', type: 'address' },
    { name: 'clientDataSetId', type: 'uint256' },
    { name: 'pieceDigests', type: 'bytes32[]' },
    { name: 'nonce', type: 'bytes32' },
    { name: 'deadline', type: 'uint64' },
  ],
} as const;

export const permitTypes = {
  Permit: [
    { name: 'owner', type: 'address' },
    { name: 'spender', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const;

export type Hex = `0x${string}`;

export interface Quote {
  provider: Address;
  payer: Address;
  pieceDigest: Hex;
  size: bigint;
  price: bigint;
  expiry: bigint;
  nonce: Hex;
}

export interface CreateDataSet {
  payer: Address;
  provider: Address;
  clientDataSetId: bigint;
  deadline: bigint;
}

export interface AddPieces {
  payer: Address;
  provider: Address;
  clientDataSetId: bigint;
  pieceDigests: Hex[];
  nonce: Hex;
  deadline: bigint;
}
