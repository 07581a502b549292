/**
 * FAKE: an OS keychain for tests. Electron's safeStorage needs the Electron runtime and a desktop
 * keyring, neither of which a test process has. It seals with AES-256-GCM under a key that lives
 * only in this object, like the OS keeps its key out of the app's files; `backend` lets a test play
 * a keychain that would store in plain text, which the vault must refuse.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeychainAdapter, KeychainAvailability } from '../vault/keychain';

export class FakeKeychain implements KeychainAdapter {
  readonly #key = randomBytes(32);
  calls = { encrypt: 0, decrypt: 0 };

  constructor(private readonly backend: 'gnome_libsecret' | 'basic_text' = 'gnome_libsecret') {}

  availability(): KeychainAvailability {
    return this.backend === 'basic_text'
      ? { available: false, reason: 'the keychain backend stores secrets as plain text (basic_text)' }
      : { available: true, backend: this.backend };
  }

  async encrypt(data: Uint8Array): Promise<Uint8Array> {
    this.calls.encrypt++;
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    return Buffer.concat([nonce, cipher.update(data), cipher.final(), cipher.getAuthTag()]);
  }

  async decrypt(blob: Uint8Array): Promise<Uint8Array> {
    this.calls.decrypt++;
    const data = Buffer.from(blob);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(data.length - 16));
    return Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
  }
}
