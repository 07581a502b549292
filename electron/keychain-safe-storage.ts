/**
 * The vault's KeychainAdapter over Electron's safeStorage (Keychain on macOS, DPAPI on Windows,
 * Secret Service / KWallet on Linux). Only usable after the app is ready.
 */
import { safeStorage } from 'electron';
import type { KeychainAdapter } from './core/vault/keychain';
import { keychainAvailability } from './security/keychain-policy';

export const safeStorageKeychain: KeychainAdapter = {
  availability: () =>
    keychainAvailability(
      process.platform,
      safeStorage.isEncryptionAvailable(),
      process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : null,
    ),
  // safeStorage encrypts strings; the key travels as base64 and never as text on disk.
  encrypt: async (data) => new Uint8Array(safeStorage.encryptString(Buffer.from(data).toString('base64'))),
  decrypt: async (blob) =>
    new Uint8Array(Buffer.from(safeStorage.decryptString(Buffer.from(blob)), 'base64')),
};
