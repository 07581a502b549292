import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { ADDRESS_LENGTH, AddressError, decodeAddress, encodeAddress } from './address';
import { nobleKem } from './noble-kem';

const keys = (n: number) => ({
  detectionPublicKey: nobleKem.keygen(new Uint8Array(64).fill(n)).publicKey,
  viewingPublicKey: nobleKem.keygen(new Uint8Array(64).fill(n + 100)).publicKey,
});

/** An independent base32 (bech32 alphabet, MSB first) through a bit string, to forge addresses. */
function forge(version: number, detection: Uint8Array, viewing: Uint8Array): string {
  const body = concatBytes(Uint8Array.of(version), detection, viewing);
  const all = concatBytes(body, sha256(concatBytes(utf8ToBytes('coffer1'), body)).subarray(0, 4));
  let bits = [...all].map((byte) => byte.toString(2).padStart(8, '0')).join('');
  bits = bits.padEnd(Math.ceil(bits.length / 5) * 5, '0');
  const alphabet = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
  return 'coffer1' + bits.replace(/.{5}/g, (group) => alphabet[parseInt(group, 2)]!);
}

function expectAddressError(text: string, message: RegExp): void {
  expect(() => decodeAddress(text)).toThrow(AddressError);
  expect(() => decodeAddress(text)).toThrow(message);
}

describe('wallet address', () => {
  const a = keys(1);
  const address = encodeAddress(a);

  it('encodes both public keys behind the coffer1 prefix and decodes them back', () => {
    expect(address.startsWith('coffer1')).toBe(true);
    expect(address).toHaveLength(ADDRESS_LENGTH);
    expect(address).toBe(forge(1, a.detectionPublicKey, a.viewingPublicKey));
    expect(decodeAddress(address)).toEqual(a);
    expect(decodeAddress(`  ${address}\n`)).toEqual(a);
    expect(encodeAddress(keys(2))).not.toBe(address);
  });

  it('rejects a wrong prefix, a wrong length and a bad character with its position', () => {
    expectAddressError('bitcoin1' + address.slice(7), /must start with 'coffer1'/);
    expectAddressError(address.toUpperCase(), /must start with 'coffer1'/);
    expectAddressError(address.slice(0, -1), /expected 3804 characters, got 3803 \(truncated\?\)/);
    expectAddressError(address + 'q', /got 3805 \(too long\?\)/);
    expectAddressError(
      address.slice(0, 100) + 'b' + address.slice(101),
      /'b' at position 100 is not a valid character/,
    );
  });

  it('rejects any single mistyped character through the checksum or the padding', () => {
    for (const position of [7, 8, 500, 1900, 3000, ADDRESS_LENGTH - 2, ADDRESS_LENGTH - 1]) {
      const replacement = address[position] === 'q' ? 'p' : 'q';
      const typo = address.slice(0, position) + replacement + address.slice(position + 1);
      expectAddressError(typo, /checksum mismatch|non-zero padding bits/);
    }
  });

  it('rejects an unknown version and keys that are not ML-KEM-768 keys, even with a good checksum', () => {
    expectAddressError(forge(2, a.detectionPublicKey, a.viewingPublicKey), /unsupported version 2/);
    const badKey = a.viewingPublicKey.slice();
    badKey[0] = 0xff;
    badKey[1] = badKey[1]! | 0x0f; // first 12-bit coefficient = 4095 ≥ q
    expectAddressError(
      forge(1, a.detectionPublicKey, badKey),
      /viewing public key is not a valid ML-KEM-768 key: coefficient 0 is 4095/,
    );
    expect(() => encodeAddress({ ...a, detectionPublicKey: badKey })).toThrow(
      /detection public key is not a valid ML-KEM-768 key/,
    );
    expect(() => encodeAddress({ ...a, viewingPublicKey: a.viewingPublicKey.subarray(1) })).toThrow(
      /expected 1184 bytes, got 1183/,
    );
  });
});
