/**
 * The EIP-712 digest of a provider's Quote — the very value viem's `hashTypedData` and
 * PaymentVault compute — built straight from the struct's fixed layout: the domain separator is
 * computed once per domain, and a quote is eight 32-byte words hashed twice. A provider signs a
 * quote per piece and the signer checks every one it pays, so this runs thousands of times per
 * upload; `hashTypedData` re-derives the types and re-validates them each time (about ten times
 * the cost). The checks it made are kept: addresses, 32-byte values and integer ranges are
 * validated, and anything out of shape throws instead of hashing.
 */
import { type Hex, concatBytes, hashDomain, hexToBytes, isAddress, keccak256, toBytes } from 'viem';
import { type Eip712Domain, type Quote, quoteTypes } from './eip712';

const QUOTE_TYPE = `Quote(${quoteTypes.Quote.map((field) => `${field.type} ${field.name}`).join(',')})`;
const QUOTE_TYPE_HASH = hexToBytes(keccak256(toBytes(QUOTE_TYPE)));
const DOMAIN_TYPES = {
  EIP712Domain: [
    { name: 'name', type: 'string' },
    { name: 'version', type: 'string' },
    { name: 'chainId', type: 'uint256' },
    { name: 'verifyingContract', type: 'address' },
  ],
} as const;

export class QuoteDigestError extends Error {
  override name = 'QuoteDigestError';
}

const separators = new Map<string, Uint8Array>();

function separatorOf(domain: Eip712Domain): Uint8Array {
  const key = `${domain.name}\n${domain.version}\n${domain.chainId}\n${domain.verifyingContract.toLowerCase()}`;
  let separator = separators.get(key);
  if (!separator) {
    separator = hexToBytes(
      hashDomain({ domain: { ...domain, chainId: BigInt(domain.chainId) }, types: DOMAIN_TYPES }),
    );
    separators.set(key, separator);
  }
  return separator;
}

/** One field of the struct as its 32-byte ABI word. */
function word(type: string, name: string, value: unknown): Uint8Array {
  const out = new Uint8Array(32);
  if (type === 'address') {
    if (typeof value !== 'string' || !isAddress(value))
      throw new QuoteDigestError(`${name} is not an address`);
    out.set(hexToBytes(value as Hex), 12);
    return out;
  }
  if (type === 'bytes32') {
    if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(value))
      throw new QuoteDigestError(`${name} is not 32 bytes of hex`);
    return hexToBytes(value as Hex);
  }
  const bits = /^uint(\d+)$/.exec(type);
  if (!bits) throw new QuoteDigestError(`${name} has a type this encoder does not know: ${type}`);
  if (typeof value !== 'bigint' || value < 0n || value >= 1n << BigInt(bits[1]!))
    throw new QuoteDigestError(`${name} is not a ${type}`);
  let rest = value;
  for (let i = 31; i >= 0 && rest > 0n; i--, rest >>= 8n) out[i] = Number(rest & 0xffn);
  return out;
}

/** The quote's EIP-712 digest in `domain` (PaymentVault's); throws QuoteDigestError for a malformed quote. */
export function quoteDigest(domain: Eip712Domain, quote: Quote): Hex {
  const fields = quoteTypes.Quote.map(({ type, name }) => word(type, name, quote[name]));
  const struct = hexToBytes(keccak256(concatBytes([QUOTE_TYPE_HASH, ...fields])));
  return keccak256(concatBytes([new Uint8Array([0x19, 0x01]), separatorOf(domain), struct]));
}
