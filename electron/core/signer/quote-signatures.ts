/**
 * Who signed a provider's quote, found fast enough to check every quote of a wave (64 per
 * provider, a wave every second or so) without stalling the main process.
 *
 * The first quote of a provider is checked the usual way — recovering its signer, and with it the
 * provider's public key, which is kept. Later quotes that claim the same provider are verified
 * against that key: standard ECDSA verification (R = e/s·G + r/s·Q, r = R.x mod n) on noble's
 * point arithmetic, with the key's multiples precomputed once — about five times cheaper than a
 * recovery. A signature that does not verify that way is recovered in full, so the caller always
 * learns who really signed. High-s signatures are refused, as PaymentVault (OpenZeppelin ECDSA)
 * refuses them.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { hexToBytes, type Hex, recoverPublicKey } from 'viem';
import { publicKeyToAddress } from 'viem/accounts';
import type { Address } from '../../../shared/network-manifest';

const { Point } = secp256k1;
type CurvePoint = InstanceType<typeof Point>;
const N = Point.CURVE().n;
const HALF_N = N / 2n;
/** Precomputed window for a provider's key: more memory, faster multiplications. */
const WINDOW = 8;
/** Providers whose keys are kept (each table is about 10 KiB). */
const MAX_KEYS = 256;

export class MalformedSignatureError extends Error {
  override name = 'MalformedSignatureError';
}

const mod = (value: bigint) => ((value % N) + N) % N;

function invert(value: bigint): bigint {
  let [t, nextT, r, nextR] = [0n, 1n, N, mod(value)];
  while (nextR !== 0n) {
    const q = r / nextR;
    [t, nextT] = [nextT, t - q * nextT];
    [r, nextR] = [nextR, r - q * nextR];
  }
  return mod(t);
}

const toBigInt = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);

export class QuoteSignatures {
  readonly #keys = new Map<string, CurvePoint>();

  /** The address that signed `hash`; throws MalformedSignatureError for a signature that cannot be one. */
  async signer(hash: Hex, signature: Hex, claimed: Address): Promise<Address> {
    const bytes = hexToBytes(signature);
    if (bytes.length !== 65)
      throw new MalformedSignatureError(`a signature is 65 bytes, not ${bytes.length}`);
    const r = toBigInt(bytes.subarray(0, 32));
    const s = toBigInt(bytes.subarray(32, 64));
    if (r === 0n || r >= N || s === 0n || s > HALF_N)
      throw new MalformedSignatureError('the signature is out of range (or high-s)');
    const key = this.#keys.get(claimed.toLowerCase());
    if (key) {
      const w = invert(s);
      const point = Point.BASE.multiplyUnsafe(mod(BigInt(hash) * w)).add(key.multiplyUnsafe(mod(r * w)));
      if (!point.equals(Point.ZERO) && mod(point.toAffine().x) === r) return claimed;
    }
    let publicKey: Hex;
    try {
      publicKey = await recoverPublicKey({ hash, signature });
    } catch (error) {
      throw new MalformedSignatureError((error as Error).message);
    }
    const signer = publicKeyToAddress(publicKey);
    if (signer.toLowerCase() === claimed.toLowerCase() && !key) this.#remember(claimed, publicKey);
    return signer;
  }

  #remember(address: Address, publicKey: Hex): void {
    if (this.#keys.size >= MAX_KEYS) this.#keys.delete(this.#keys.keys().next().value!);
    const point = Point.fromBytes(hexToBytes(publicKey));
    point.precompute(WINDOW);
    this.#keys.set(address.toLowerCase(), point);
  }
}
