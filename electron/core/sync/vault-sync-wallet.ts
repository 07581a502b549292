/**
 * The sync's view of the vault: each account's note keys (copies, which the engine wipes after
 * its run) and a sealer whose key the vault derives from the wallet's root each time it is used,
 * so the sync holds no key of its own and stops sealing the moment the wallet locks.
 */
import { CofferError } from '../../../shared/api/errors';
import type { Vault } from '../vault/vault';
import { createNoteSealer, type NoteSealer } from './note-sealer';
import type { SyncAccount } from './sync-engine';
import type { SyncWallet } from './sync-service';

export function vaultSyncWallet(vault: Vault): SyncWallet {
  const withSealer = <T>(use: (sealer: NoteSealer) => T): T => {
    const key = vault.noteSealingKey();
    const sealer = createNoteSealer(key);
    key.fill(0);
    try {
      return use(sealer);
    } finally {
      sealer.dispose();
    }
  };
  return {
    async noteAccounts(): Promise<SyncAccount[]> {
      const status = await vault.status();
      if (!status.exists)
        throw new CofferError('NO_WALLET', 'Create or import a wallet first: the sync needs its keys');
      if (status.locked)
        throw new CofferError('LOCKED', 'Unlock the wallet to sync: the sync needs its note keys');
      return status.accounts.map(({ index }) => {
        const publicKeys = vault.publicKeys(index);
        const secretKeys = vault.noteSecretKeys(index);
        return {
          account: index,
          keys: {
            detection: { publicKey: publicKeys.detectionPublicKey, secretKey: secretKeys.detection },
            viewing: { publicKey: publicKeys.viewingPublicKey, secretKey: secretKeys.viewing },
          },
        };
      });
    },
    noteSealer: () => ({
      seal: (plaintext, context) => withSealer((sealer) => sealer.seal(plaintext, context)),
      unseal: (sealed, context) => withSealer((sealer) => sealer.unseal(sealed, context)),
    }),
  };
}
