// The sync's view of a real vault: the keys it hands out are the account's derived note keys, the
// sealer's key comes from the wallet's root (so it survives a password change), and both stop
// the moment the wallet locks.
import { describe, expect, it } from 'vitest';
import { deriveKemKeyPair, seedFromMnemonic } from '../vault/key-derivation';
import { Vault } from '../vault/vault';
import { seedContext } from './note-sealer';
import { tempDir } from './test-support/sync-fixture';
import { vaultSyncWallet } from './vault-sync-wallet';

const PHRASE = 'test test test test test test test test test test test junk';
const PASSWORD = 'vault sync password';

describe('the vault as the sync’s wallet', () => {
  it('hands out each account’s note keys and seals with a key from the root, until locked', async () => {
    const folder = tempDir('coffer-vault-sync-');
    const vault = new Vault({ dataDir: folder.dir, scrypt: { N: 2 ** 10, r: 8, p: 1 } });
    const wallet = vaultSyncWallet(vault);
    try {
      await expect(wallet.noteAccounts()).rejects.toMatchObject({ code: 'NO_WALLET' });
      await vault.createFromMnemonic(PHRASE, PASSWORD);
      await vault.addAccount();

      const root = { kind: 'mnemonic' as const, seed: seedFromMnemonic(PHRASE) };
      const accounts = await wallet.noteAccounts();
      expect(accounts.map((a) => a.account)).toEqual([0, 1]);
      for (const { account, keys } of accounts) {
        expect(keys.detection).toEqual(deriveKemKeyPair(root, 'detection', account));
        expect(keys.viewing).toEqual(deriveKemKeyPair(root, 'viewing', account));
      }

      const sealer = wallet.noteSealer();
      const seed = new Uint8Array(32).fill(0x42);
      const sealed = sealer.seal(seed, seedContext(0, 7));
      await vault.changePassword(PASSWORD, `${PASSWORD} 2`);
      expect(sealer.unseal(sealed, seedContext(0, 7))).toEqual(seed);

      await vault.lock();
      await expect(wallet.noteAccounts()).rejects.toMatchObject({ code: 'LOCKED' });
      expect(() => sealer.seal(seed, seedContext(0, 8))).toThrow(/locked/);
    } finally {
      vault.close();
      folder.remove();
    }
  });
});
