/**
 * Signs 32-byte digests with the provider's key, as viem's `account.sign({ hash })` does (r, s,
 * v = 27 or 28): the provider signs a quote per piece, 64 to a wave, 2,050 for a 1 GiB upload
 * with two copies. libsecp256k1's native binding (npm `secp256k1`, prebuilt for Linux x64, macOS
 * arm64 and Windows x64) signs one in ~0.05 ms; viem's JavaScript signer (noble) takes ~0.35 ms
 * warm and more before V8 has optimised it, and a wave's quotes are on the small-file upload's
 * critical path. Both use RFC 6979 nonces and low s, so their signatures are the same byte for
 * byte; where the binding does not load, viem's signer is used.
 */
import { createRequire } from 'node:module';
import { bytesToHex, type Hex, hexToBytes } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

export type SignDigest = (digest: Hex) => Promise<Hex>;

/** The one call used from the binding (`secp256k1/bindings`, which has no types of its own). */
interface NativeSecp256k1 {
  ecdsaSign(message: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number };
}

let native: NativeSecp256k1 | null | undefined;

function nativeSecp256k1(): NativeSecp256k1 | null {
  if (native === undefined) {
    try {
      // The binding alone: the package's entry falls back to a slow JavaScript curve instead.
      native = createRequire(import.meta.url)('secp256k1/bindings') as NativeSecp256k1;
    } catch {
      native = null;
    }
  }
  return native;
}

/** `implementation: 'viem'` skips the native binding (to compare the two in tests). */
export function digestSigner(
  privateKey: Hex,
  implementation: 'fastest' | 'viem' = 'fastest',
): { sign: SignDigest; implementation: 'libsecp256k1' | 'viem' } {
  const binding = implementation === 'fastest' ? nativeSecp256k1() : null;
  if (!binding) {
    const account = privateKeyToAccount(privateKey);
    return { sign: (hash) => account.sign({ hash }), implementation: 'viem' };
  }
  const key = hexToBytes(privateKey);
  return {
    sign: async (digest) => {
      const { signature, recid } = binding.ecdsaSign(hexToBytes(digest), key);
      const out = new Uint8Array(65);
      out.set(signature);
      out[64] = 27 + recid;
      return bytesToHex(out);
    },
    implementation: 'libsecp256k1',
  };
}
