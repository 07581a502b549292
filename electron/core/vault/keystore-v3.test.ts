import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bytesToHex } from 'viem';
import { describe, expect, it } from 'vitest';
import { appRoot } from '../app-paths';
import { decryptKeystore } from './keystore-v3';

// The Web3 Secret Storage definition's own test vectors (password "testpassword").
const SECRET = '0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d';
const pbkdf2Vector = {
  crypto: {
    cipher: 'aes-128-ctr',
    cipherparams: { iv: '6087dab2f9fdbbfaddc31a909735c1e6' },
    ciphertext: '5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46',
    kdf: 'pbkdf2',
    kdfparams: {
      c: 262144,
      dklen: 32,
      prf: 'hmac-sha256',
      salt: 'ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd',
    },
    mac: '517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2',
  },
  id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
  version: 3,
};
const scryptVector = {
  crypto: {
    cipher: 'aes-128-ctr',
    cipherparams: { iv: '83dbcc02d8ccb40e466191a123791e0e' },
    ciphertext: 'd172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c',
    kdf: 'scrypt',
    kdfparams: {
      dklen: 32,
      n: 262144,
      r: 1,
      p: 8,
      salt: 'ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19',
    },
    mac: '2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097',
  },
  id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
  version: 3,
};

const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: { code?: string; message: string }) => `${error.code}: ${error.message}`,
  );

describe('V3 keystore import', () => {
  it('opens the specification vectors (PBKDF2 and scrypt) to their key', async () => {
    for (const vector of [pbkdf2Vector, scryptVector]) {
      const { privateKey, address } = await decryptKeystore(JSON.stringify(vector), 'testpassword');
      expect(bytesToHex(privateKey)).toBe(SECRET);
      expect(address.toLowerCase()).toBe('0x008aeeda4d805471df9b2a5b0f38a0c3bcba786b');
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
