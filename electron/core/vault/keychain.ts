/**
 * The OS keychain, as the vault sees it. Electron main implements it with `safeStorage`
 * (electron/keychain-safe-storage.ts); the core never imports Electron. When the user asks for it,
 * the keychain protects a copy of the vault's data key so the wallet can be unlocked without
 * typing the password. A keychain that would store the key as plain text is refused.
 */
export type KeychainAvailability =
  { available: true; backend: string } | { available: false; reason: string };

export interface KeychainAdapter {
  availability(): KeychainAvailability;
  encrypt(data: Uint8Array): Promise<Uint8Array>;
  decrypt(blob: Uint8Array): Promise<Uint8Array>;
}
