/**
 * The `wallet` and `approval` handlers of the API contract, over the vault, the secure views, the
 * approval broker and (when a network is configured) the chain operations. Nothing returned here
 * carries a secret: statuses, addresses, balances, ticket URLs and transaction hashes only.
 */
import type { CofferHandlers } from '../../../shared/api/contract';
import { CofferError } from '../../../shared/api/errors';
import { encodeAddress } from '../../../shared/notes/address';
import type { ApprovalBroker } from '../signer/approvals';
import type { SecureViews } from '../vault/secure-views';
import type { Vault } from '../vault/vault';
import type { WalletChain } from './wallet-chain';

export interface WalletHandlerDeps {
  vault: Vault;
  secureViews: SecureViews;
  approvals: ApprovalBroker;
  chain: WalletChain | null;
}

export function createWalletHandlers(deps: WalletHandlerDeps): Pick<CofferHandlers, 'wallet' | 'approval'> {
  const { vault, secureViews, approvals } = deps;
  // Note addresses need the ML-KEM public keys, derived from the root secret: computed while
  // unlocked and remembered (they are public), so a locked wallet still shows them.
  const noteAddresses = new Map<string, string>();
  const noteAddress = async (account: number): Promise<string | null> => {
    const key = `${await vault.address(account)}/${account}`;
    if (!noteAddresses.has(key) && vault.isUnlocked)
      noteAddresses.set(key, encodeAddress(vault.publicKeys(account)));
    return noteAddresses.get(key) ?? null;
  };
  const chain = (): WalletChain => {
    if (!deps.chain) throw new CofferError('NETWORK_OFFLINE', 'No network is configured');
    return deps.chain;
  };
  return {
    wallet: {
      status: () => vault.status(),
      create: () => secureViews.issue('create'),
      importMnemonic: () => secureViews.issue('import-mnemonic'),
      importKeystore: () => secureViews.issue('import-keystore'),
      revealMnemonic: () => secureViews.issue('reveal'),
      unlock: ({ password }) => vault.unlock(password),
      unlockWithKeychain: () => vault.unlockWithKeychain(),
      lock: () => vault.lock(),
      changePassword: ({ oldPassword, newPassword }) => vault.changePassword(oldPassword, newPassword),
      setAutoLock: ({ minutes }) => vault.setAutoLock(minutes),
      setKeychainUnlock: ({ enabled, password }) => vault.setKeychainUnlock(enabled, password),
      addAccount: () => vault.addAccount(),
      addresses: async ({ account }) => ({
        account,
        evm: await vault.address(account),
        note: await noteAddress(account),
      }),
      balances: ({ account }) => chain().balances(account),
      deposit: ({ account, amount }) => chain().deposit(account, amount),
      withdraw: ({ account, amount }) => chain().withdraw(account, amount),
      faucet: ({ account }) => chain().faucet(account),
    },
    approval: {
      list: async () => ({ approvals: approvals.list() }),
      respond: async (answer) => ({ id: answer.id, outcome: approvals.respond(answer) }),
    },
  };
}
