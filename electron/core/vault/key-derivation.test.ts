import { sha256 } from '@noble/hashes/sha2.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { createMLKEM768 } from '@oqs/liboqs-js';
import { bytesToHex, hexToBytes } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { deriveAccount, deriveKemKeyPair, seedFromMnemonic, type RootSecret } from './key-derivation';

// The vectors of docs/key-derivation.md. Addresses are also checked against independent sources:
// viem's mnemonicToAccount, and anvil's published dev accounts for the "test … junk" phrase.
const VECTORS = [
  {
    mnemonic: `${'abandon '.repeat(23)}art`,
    accounts: [
      {
        address: '0xF278cF59F82eDcf871d630F28EcC8056f25C1cdb',
        detection: '0xee88521dbf979253d4034c0f2bf922fa738d84fdf7234e5812dd2525897a6b57',
        viewing: '0xd364c01bce27840c9fdb4e629e2c9bafa51c68e001a81c766aab2202bc25fce4',
      },
      {
        address: '0xf785bD075874b8423D3583728a981399f31e95aA',
        detection: '0xb0e6d7f6f5da11cb6cf2458e891a9e352fb57f6c108234a32850c54b13a1845c',
        viewing: '0x5ae4992c05f2b4858a0755985b674fe07e9a6e315db4945dbece5d363a717c3d',
      },
    ],
  },
  {
    mnemonic: 'test test test test test test test test test test test junk',
    accounts: [
      {
        address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
        detection: '0xbd52e80b60420b1ff2ea562ced35a656bfeb35af029be493b3e8dd6f6d32367a',
        viewing: '0x10acd225e40e1cfc515e58b785e5f6cae7ce515983deaf8f8634f1618fc02c15',
      },
      {
        address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
        detection: '0xd4b03a8b2fa38146c2a45dcd79ca089e2bb915e044ab343b50851d36fe2a9644',
        viewing: '0xb64e8789bfd82e9d948293e002d3b12839e31343873a3884aabc88a8fac4acc8',
      },
    ],
  },
];

const KEYSTORE_VECTOR = {
  privateKey: '0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d',
  address: '0x008AeEda4D805471dF9b2A5B0f38A0C3bCBA786b',
  detection: '0xf29b0665c2876bf9fb891a7dcb426effde14e2f34a1566b684961fabfcacee82',
  viewing: '0x0aa89e0792eb49386f5f4e6c7ccb61f8f2ad82df66fa082ab266b749677ab0ea',
} as const;

const pkHash = (key: Uint8Array) => bytesToHex(sha256(key));

describe('key derivation', () => {
  for (const vector of VECTORS) {
    const root: RootSecret = { kind: 'mnemonic', seed: seedFromMnemonic(vector.mnemonic) };
    vector.accounts.forEach((expected, index) => {
      it(`matches the vector for "${vector.mnemonic.slice(0, 14)}…" account ${index}`, () => {
        const account = deriveAccount(root, index);
        expect(account.address).toBe(expected.address);
        expect(mnemonicToAccount(vector.mnemonic, { addressIndex: index }).address).toBe(expected.address);
        expect(pkHash(account.detection.publicKey)).toBe(expected.detection);
        expect(pkHash(account.viewing.publicKey)).toBe(expected.viewing);
      });
    });
  }

  it('matches the vector for a keystore root (one account)', () => {
    const root: RootSecret = { kind: 'privateKey', privateKey: hexToBytes(KEYSTORE_VECTOR.privateKey) };
    const account = deriveAccount(root, 0);
    expect(account.address).toBe(KEYSTORE_VECTOR.address);
    expect(pkHash(account.detection.publicKey)).toBe(KEYSTORE_VECTOR.detection);
    expect(pkHash(account.viewing.publicKey)).toBe(KEYSTORE_VECTOR.viewing);
    expect(() => deriveAccount(root, 1)).toThrow(/one account/);
  });

  it('gives distinct keys per purpose and per account, and refuses bad indexes', () => {
    const root: RootSecret = { kind: 'mnemonic', seed: seedFromMnemonic(VECTORS[0]!.mnemonic) };
    const keys = [0, 1, 2].flatMap((i) => [
      pkHash(deriveKemKeyPair(root, 'detection', i).publicKey),
      pkHash(deriveKemKeyPair(root, 'viewing', i).publicKey),
    ]);
    expect(new Set(keys).size).toBe(6);
    for (const bad of [-1, 1.5, 2 ** 31]) expect(() => deriveAccount(root, bad)).toThrow(RangeError);
  });

  it('derives ML-KEM-768 keys another implementation (liboqs) agrees with', async () => {
    const root: RootSecret = { kind: 'mnemonic', seed: seedFromMnemonic(VECTORS[0]!.mnemonic) };
    const { publicKey, secretKey } = deriveKemKeyPair(root, 'viewing', 0);
    const oqs = await createMLKEM768();
    try {
      const { ciphertext, sharedSecret } = oqs.encapsulate(publicKey);
      expect(bytesToHex(ml_kem768.decapsulate(ciphertext, secretKey))).toBe(bytesToHex(sharedSecret));
      const back = ml_kem768.encapsulate(publicKey);
      expect(bytesToHex(oqs.decapsulate(back.cipherText, secretKey))).toBe(bytesToHex(back.sharedSecret));
    } finally {
      oqs.destroy();
    }
  });
});
