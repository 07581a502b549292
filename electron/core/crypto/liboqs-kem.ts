/**
 * ML-KEM-768 on liboqs compiled to WebAssembly (@oqs/liboqs-js): the fast backend of the sync
 * workers and the seeder. Node only; one WASM instance per thread, loaded once.
 *
 * The package's public `createMLKEM768().decapsulate` mallocs and copies the 2400-byte secret
 * key on every call (~10k decapsulations/s here). We load its WASM module directly and keep what
 * does not change resident in WASM memory instead: a `Decapsulator` copies its secret key in
 * once, owns its ciphertext and shared-secret buffers, and zeroes and frees them on `dispose`
 * (~14k/s).
 *
 * Deterministic keygen and encapsulation: liboqs draws its randomness through one WASM import
 * (64 bytes for keygen, 32 for encapsulation). We wrap that import while the module loads, and
 * serve caller-given bytes to the next draw instead of the system RNG, so both operations match
 * FIPS 203's derandomised forms (and @noble/post-quantum) byte for byte. The import's minified
 * name is specific to the package build (0.15.x); a self-test at load checks the hook against
 * noble and refuses to run if it no longer works.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { nobleKem } from '../../../shared/notes/noble-kem';
import {
  KEM_CIPHERTEXT_BYTES,
  KEM_PUBLIC_KEY_BYTES,
  KEM_SECRET_KEY_BYTES,
  KEM_SHARED_SECRET_BYTES,
} from '../../../shared/notes/format';
import { checkKemInput, type Decapsulator, type Kem } from '../../../shared/notes/kem';

/** The raw Emscripten exports we use (see the package's dist/ml-kem-768.min.js). */
interface LiboqsModule {
  HEAPU8: Uint8Array;
  _OQS_init(): void;
  _OQS_KEM_new(namePtr: number): number;
  _OQS_KEM_keypair(kem: number, publicKey: number, secretKey: number): number;
  _OQS_KEM_encaps(kem: number, cipherText: number, sharedSecret: number, publicKey: number): number;
  _OQS_KEM_decaps(kem: number, sharedSecret: number, cipherText: number, secretKey: number): number;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  stringToUTF8(text: string, pointer: number, maxBytes: number): void;
}

type RandomImport = (pointer: number, length: number) => number;

/** Bytes to serve to liboqs's next randomness draw (null: use the system RNG). */
let injected: Uint8Array | null = null;
let loading: Promise<Kem> | undefined;

/** The liboqs backend of this thread, loaded on first use. */
export function loadLiboqsKem(): Promise<Kem> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/**
 * The package's WASM build of ML-KEM-768. It is not in the package's exports map, so it is found
 * the way Node finds packages (each node_modules folder up from here); this also works where
 * `import.meta.resolve` does not (vitest's module runner).
 */
function liboqsBuildUrl(): string {
  const relative = path.join('@oqs', 'liboqs-js', 'dist', 'ml-kem-768.min.js');
  for (const folder of createRequire(import.meta.url).resolve.paths('@oqs/liboqs-js') ?? []) {
    const file = path.join(folder, relative);
    if (existsSync(file)) return pathToFileURL(file).href;
  }
  throw new Error(`liboqs: ${relative} not found in node_modules; is @oqs/liboqs-js installed?`);
}

/** The part of the WebAssembly global we wrap (Node's typings do not declare it). */
interface WasmGlobal {
  instantiate(source: unknown, imports?: Record<string, Record<string, unknown>>): Promise<unknown>;
}

async function instantiateWithRandomHook(): Promise<LiboqsModule> {
  const factory = (await import(liboqsBuildUrl())).default as () => Promise<LiboqsModule>;
  const wasmGlobal = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;
  const instantiate = wasmGlobal.instantiate;
  let module: LiboqsModule | undefined;
  // Only for the duration of this load: wrap the randomness import among the module's imports.
  wasmGlobal.instantiate = (source, imports) => {
    const env = imports?.a;
    const random = env?.c as RandomImport | undefined;
    if (env && typeof random === 'function')
      env.c = ((pointer, length) => {
        if (!injected || injected.length !== length) return random(pointer, length);
        module!.HEAPU8.set(injected, pointer);
        injected = null;
        return 0;
      }) satisfies RandomImport;
    return instantiate.call(wasmGlobal, source, imports);
  };
  try {
    module = await factory();
  } finally {
    wasmGlobal.instantiate = instantiate;
  }
  return module;
}

async function load(): Promise<Kem> {
  const wasm = await instantiateWithRandomHook();
  wasm._OQS_init();
  const name = 'ML-KEM-768';
  const namePointer = wasm._malloc(name.length + 1);
  wasm.stringToUTF8(name, namePointer, name.length + 1);
  const kem = wasm._OQS_KEM_new(namePointer);
  wasm._free(namePointer);
  if (!kem) throw new Error('liboqs: ML-KEM-768 is not available in this build');

  const heap = () => wasm.HEAPU8; // re-read each time: a memory growth replaces the view
  const alloc = (bytes: number) => {
    const pointer = wasm._malloc(bytes);
    if (!pointer) throw new Error(`liboqs: out of WASM memory allocating ${bytes} bytes`);
    return pointer;
  };
  const scratch = {
    publicKey: alloc(KEM_PUBLIC_KEY_BYTES),
    secretKey: alloc(KEM_SECRET_KEY_BYTES),
    cipherText: alloc(KEM_CIPHERTEXT_BYTES),
    sharedSecret: alloc(KEM_SHARED_SECRET_BYTES),
  };
  const read = (pointer: number, bytes: number) => heap().slice(pointer, pointer + bytes);
  const wipe = (pointer: number, bytes: number) => heap().fill(0, pointer, pointer + bytes);
  const check = (status: number, operation: string) => {
    if (status !== 0) throw new Error(`liboqs: ML-KEM-768 ${operation} failed (status ${status})`);
  };
  /** Runs `operation` with `randomness` served to its draw, and checks it was drawn. */
  const withRandomness = <T>(randomness: Uint8Array | undefined, operation: () => T): T => {
    injected = randomness ?? null;
    try {
      const result = operation();
      if (injected)
        throw new Error('liboqs: the randomness hook was not used; deterministic operation is unavailable');
      return result;
    } finally {
      injected = null;
    }
  };

  const decapsulateAt = (
    cipherText: Uint8Array,
    cipherTextPointer: number,
    secretKeyPointer: number,
    sharedSecretPointer: number,
  ) => {
    checkKemInput.cipherText(cipherText);
    heap().set(cipherText, cipherTextPointer);
    check(
      wasm._OQS_KEM_decaps(kem, sharedSecretPointer, cipherTextPointer, secretKeyPointer),
      'decapsulation',
    );
    const secret = read(sharedSecretPointer, KEM_SHARED_SECRET_BYTES);
    wipe(sharedSecretPointer, KEM_SHARED_SECRET_BYTES);
    return secret;
  };

  const backend: Kem = {
    name: 'liboqs',
    keygen(seed) {
      checkKemInput.seed(seed);
      return withRandomness(seed, () => {
        check(wasm._OQS_KEM_keypair(kem, scratch.publicKey, scratch.secretKey), 'keygen');
        const pair = {
          publicKey: read(scratch.publicKey, KEM_PUBLIC_KEY_BYTES),
          secretKey: read(scratch.secretKey, KEM_SECRET_KEY_BYTES),
        };
        wipe(scratch.secretKey, KEM_SECRET_KEY_BYTES);
        return pair;
      });
    },
    encapsulate(publicKey, randomness) {
      checkKemInput.publicKey(publicKey);
      checkKemInput.randomness(randomness);
      heap().set(publicKey, scratch.publicKey);
      return withRandomness(randomness, () => {
        check(
          wasm._OQS_KEM_encaps(kem, scratch.cipherText, scratch.sharedSecret, scratch.publicKey),
          'encapsulation',
        );
        const sharedSecret = read(scratch.sharedSecret, KEM_SHARED_SECRET_BYTES);
        wipe(scratch.sharedSecret, KEM_SHARED_SECRET_BYTES);
        return { cipherText: read(scratch.cipherText, KEM_CIPHERTEXT_BYTES), sharedSecret };
      });
    },
    decapsulate(cipherText, secretKey) {
      checkKemInput.secretKey(secretKey);
      heap().set(secretKey, scratch.secretKey);
      try {
        return decapsulateAt(cipherText, scratch.cipherText, scratch.secretKey, scratch.sharedSecret);
      } finally {
        wipe(scratch.secretKey, KEM_SECRET_KEY_BYTES);
      }
    },
    bind(secretKey): Decapsulator {
      checkKemInput.secretKey(secretKey);
      const pointers = {
        secretKey: alloc(KEM_SECRET_KEY_BYTES),
        cipherText: alloc(KEM_CIPHERTEXT_BYTES),
        sharedSecret: alloc(KEM_SHARED_SECRET_BYTES),
      };
      heap().set(secretKey, pointers.secretKey);
      let disposed = false;
      return {
        decapsulate(cipherText) {
          if (disposed) throw new Error('ML-KEM-768 decapsulator used after dispose');
          return decapsulateAt(cipherText, pointers.cipherText, pointers.secretKey, pointers.sharedSecret);
        },
        dispose() {
          if (disposed) return;
          disposed = true;
          wipe(pointers.secretKey, KEM_SECRET_KEY_BYTES);
          for (const pointer of Object.values(pointers)) wasm._free(pointer);
        },
      };
    },
  };
  selfTest(backend);
  return backend;
}

/** Refuses a build whose randomness hook or arithmetic disagrees with noble. */
function selfTest(backend: Kem): void {
  const seed = Uint8Array.from({ length: 64 }, (_, i) => i);
  const randomness = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
  const ours = backend.keygen(seed);
  const reference = nobleKem.keygen(seed);
  const encapsulated = backend.encapsulate(ours.publicKey, randomness);
  const expected = nobleKem.encapsulate(reference.publicKey, randomness);
  const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((byte, i) => byte === b[i]);
  if (
    !same(ours.publicKey, reference.publicKey) ||
    !same(encapsulated.cipherText, expected.cipherText) ||
    !same(backend.decapsulate(encapsulated.cipherText, ours.secretKey), expected.sharedSecret)
  )
    throw new Error(
      'liboqs: self-test against @noble/post-quantum failed; this @oqs/liboqs-js build is not supported',
    );
}
