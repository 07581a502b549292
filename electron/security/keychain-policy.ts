/**
 * Whether Electron's safeStorage may hold the vault's keychain slot. On Linux safeStorage falls
 * back to a hard-coded key ("basic_text") when no keyring is running: that is plain text in all
 * but name, so it is refused, as is a backend Electron cannot name. Kept free of Electron imports
 * so the decision is tested in plain Node.
 */
import type { KeychainAvailability } from '../core/vault/keychain';

export type SafeStorageBackend =
  'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'unknown';

export function keychainAvailability(
  platform: NodeJS.Platform,
  encryptionAvailable: boolean,
  linuxBackend: SafeStorageBackend | null,
): KeychainAvailability {
  if (!encryptionAvailable) return { available: false, reason: 'the OS keychain is not available to Coffer' };
  if (platform === 'darwin') return { available: true, backend: 'macOS Keychain' };
  if (platform === 'win32') return { available: true, backend: 'Windows DPAPI' };
  if (platform !== 'linux') return { available: false, reason: `no OS keychain is supported on ${platform}` };
  if (!linuxBackend || linuxBackend === 'basic_text' || linuxBackend === 'unknown')
    return {
      available: false,
      reason: `the keychain backend would store secrets as plain text (${linuxBackend ?? 'unknown'}); start a Secret Service or KWallet keyring to use it`,
    };
  return { available: true, backend: linuxBackend };
}
