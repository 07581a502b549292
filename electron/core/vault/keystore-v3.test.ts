import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bytesToHex } from 'viem';
import { describe, expect, it } from 'vitest';
import { appRoot } from '../app-paths';
import {
  KEYSTORE_ADDRESS,
  KEYSTORE_PASSWORD,
  KEYSTORE_SECRET,
  PBKDF2_KEYSTORE,
  SCRYPT_KEYSTORE,
} from '../test-support/keystore-vectors';
import { decryptKeystore } from './keystore-v3';

const pbkdf2Vector = PBKDF2_KEYSTORE;
const scryptVector = SCRYPT_KEYSTORE;

const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: { code?: string; message: string }) => `${error.code}: ${error.message}`,
  );

describe('V3 keystore import', () => {
  it('opens the specification vectors (PBKDF2 and scrypt) to their key', async () => {
    for (const vector of [pbkdf2Vector, scryptVector]) {
      const { privateKey, address } = await decryptKeystore(JSON.stringify(vector), KEYSTORE_PASSWORD);
      expect(bytesToHex(privateKey)).toBe(KEYSTORE_SECRET);
      expect(address).toBe(KEYSTORE_ADDRESS);
    }
  });

  it('opens a keystore written by an independent tool (foundry cast)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'coffer-ks-'));
    const cast = path.join(appRoot(), 'node_modules/@foundry-rs/cast-linux-amd64/bin/cast');
    const key = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
    const out = execFileSync(
      cast,
      ['wallet', 'import', 'k', '--private-key', key, '--unsafe-password', 'cast pw', '-k', dir],
      {
        encoding: 'utf8',
      },
    );
    const castAddress = /Address: (0x[0-9a-fA-F]{40})/.exec(out)![1]!;
    const text = readFileSync(path.join(dir, readdirSync(dir)[0]!), 'utf8');
    const opened = await decryptKeystore(text, 'cast pw');
    expect(bytesToHex(opened.privateKey)).toBe(key);
    expect(opened.address.toLowerCase()).toBe(castAddress.toLowerCase());
  });

  it('says WRONG_PASSWORD for a wrong password', async () => {
    expect(await code(decryptKeystore(JSON.stringify(pbkdf2Vector), 'testpassword!'))).toBe(
      'WRONG_PASSWORD: The keystore password is wrong',
    );
  });

  it('names what is wrong with a malformed file', async () => {
    const cases: Array<[unknown, RegExp]> = [
      ['not json', /not JSON/],
      [{ ...pbkdf2Vector, version: 4 }, /version/],
      [{ version: 3 }, /crypto/],
      [{ ...pbkdf2Vector, crypto: { ...pbkdf2Vector.crypto, kdf: 'argon2' } }, /crypto\.kdf/],
      [{ ...pbkdf2Vector, crypto: { ...pbkdf2Vector.crypto, cipher: 'aes-256-cbc' } }, /crypto\.cipher/],
      [{ ...pbkdf2Vector, crypto: { ...pbkdf2Vector.crypto, mac: 'zz' } }, /crypto\.mac/],
      [
        {
          ...scryptVector,
          crypto: {
            ...scryptVector.crypto,
            kdfparams: { ...scryptVector.crypto.kdfparams, n: 2 ** 24, r: 8 },
          },
        },
        /MiB/,
      ],
      [{ ...pbkdf2Vector, address: '00000000000000000000000000000000000000aa' }, /names address/],
    ];
    for (const [file, reason] of cases) {
      const text = typeof file === 'string' ? file : JSON.stringify(file);
      const result = await code(decryptKeystore(text, 'testpassword'));
      expect(result, text.slice(0, 80)).toMatch(/^INVALID_INPUT: This is not a usable V3 keystore file: /);
      expect(result).toMatch(reason);
    }
  });
});
