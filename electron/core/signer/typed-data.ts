/**
 * Builders for every EIP-712 payload Coffer signs (Permit for deposits, CreateDataSet and
 * AddPieces for uploads) or verifies (provider Quotes), on the type definitions of
 * shared/chain/eip712.ts. A built payload is deep-frozen: the signer hashes and signs its own
 * copy, and nobody holding a reference can change it after the user approved its hash.
 */
import { hashTypedData, type TypedDataDefinition } from 'viem';
import {
  addPiecesTypes,
  createDataSetTypes,
  domainFor,
  permitTypes,
  quoteTypes,
  type AddPieces,
  type CreateDataSet,
  type Eip712Domain,
  type Hex,
  type Quote,
} from '../../../shared/chain/eip712';
import type { Address } from '../../../shared/network-manifest';

export interface PermitMessage {
  owner: Address;
  spender: Address;
  value: bigint;
  nonce: bigint;
  deadline: bigint;
}

/** Every payload the signer may sign, by primary type. */
export type SignablePayload =
  | { primaryType: 'Permit'; domain: Eip712Domain; types: typeof permitTypes; message: PermitMessage }
  | {
      primaryType: 'CreateDataSet';
      domain: Eip712Domain;
      types: typeof createDataSetTypes;
      message: CreateDataSet;
    }
  | { primaryType: 'AddPieces'; domain: Eip712Domain; types: typeof addPiecesTypes; message: AddPieces };

export type QuotePayload = {
  primaryType: 'Quote';
  domain: Eip712Domain;
  types: typeof quoteTypes;
  message: Quote;
};

export interface Contracts {
  chainId: number;
  token: Address;
  paymentVault: Address;
  dataSetRegistry: Address;
}

export function permitPayload(contracts: Contracts, message: PermitMessage): SignablePayload {
  return freeze({
    primaryType: 'Permit',
    domain: domainFor('token', contracts.chainId, contracts.token),
    types: permitTypes,
    message: { ...message },
  });
}

export function createDataSetPayload(contracts: Contracts, message: CreateDataSet): SignablePayload {
  return freeze({
    primaryType: 'CreateDataSet',
    domain: domainFor('dataSetRegistry', contracts.chainId, contracts.dataSetRegistry),
    types: createDataSetTypes,
    message: { ...message },
  });
}

export function addPiecesPayload(contracts: Contracts, message: AddPieces): SignablePayload {
  return freeze({
    primaryType: 'AddPieces',
    domain: domainFor('dataSetRegistry', contracts.chainId, contracts.dataSetRegistry),
    types: addPiecesTypes,
    message: { ...message, pieceDigests: [...message.pieceDigests] },
  });
}

export function quotePayload(contracts: Contracts, message: Quote): QuotePayload {
  return freeze({
    primaryType: 'Quote',
    domain: domainFor('paymentVault', contracts.chainId, contracts.paymentVault),
    types: quoteTypes,
    message: { ...message },
  });
}

/** The EIP-712 digest a wallet signs for this payload. */
export function payloadHash(payload: SignablePayload | QuotePayload): Hex {
  return hashTypedData(payload as unknown as TypedDataDefinition);
}

/** A structural copy, deep-frozen, for the signer's own use. */
export function ownCopy<P extends SignablePayload>(payload: P): P {
  return freeze(structuredClone(payload));
}

function freeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) freeze(child);
  }
  return value;
}
