/**
 * The `wallet` namespace: what the renderer may know and ask of the vault. Addresses, balances,
 * lock state and transaction hashes cross; secrets never do. Creating, importing and revealing a
 * recovery phrase happen in main-process-controlled views: these methods return a one-time ticket
 * URL for such a view, never words or keys. Passwords cross only inward (renderer → main).
 */
import { z } from 'zod';
import { Address, DecimalAmount, Hash32, TokenAmount } from './chain-values';
import { method } from './define';

const Empty = z.object({}).strict();

export const WalletAccount = z.object({ index: z.number().int().nonnegative(), address: Address });

export const WalletStatus = z.object({
  exists: z.boolean(),
  locked: z.boolean(),
  /** Where the root secret came from: a recovery phrase, or a keystore file's private key. */
  kind: z.enum(['mnemonic', 'privateKey']).nullable(),
  accounts: z.array(WalletAccount),
  /** Minutes without use before the wallet locks itself; 0 = never. */
  autoLockMinutes: z.number().int().nonnegative(),
  keychain: z.object({
    available: z.boolean(),
    enabled: z.boolean(),
    /** Why the OS keychain cannot be used here, when it cannot. */
    problem: z.string().nullable(),
  }),
});
export type WalletStatus = z.infer<typeof WalletStatus>;

export const SecureViewKind = z.enum(['create', 'import-mnemonic', 'import-keystore', 'reveal']);
export type SecureViewKind = z.infer<typeof SecureViewKind>;

/** A one-time link to a main-process-controlled view (a separate window or tab). */
export const SecureViewTicket = z.object({
  kind: SecureViewKind,
  url: z.string().url(),
  /** Milliseconds since the epoch after which the link no longer opens. */
  expiresAt: z.number().int(),
  /** True when the app opened the view itself (Electron); otherwise the caller opens `url`. */
  opened: z.boolean(),
});
export type SecureViewTicket = z.infer<typeof SecureViewTicket>;

const Password = z.string().min(1, 'enter the password').max(1024);
export const NewPassword = z.string().min(8, 'use at least 8 characters').max(1024);
const AccountSelector = z.object({ account: z.number().int().min(0).max(0x7fffffff).default(0) }).strict();

export const WalletAddresses = z.object({
  account: z.number().int().nonnegative(),
  evm: Address,
  /**
   * The shielded-note address (detection + viewing public keys, shared/notes/address.ts). Derived
   * while unlocked, then remembered for the session; null if the wallet was not unlocked yet.
   */
  note: z.string().startsWith('coffer1').nullable(),
});

export const WalletBalances = z.object({
  address: Address,
  native: TokenAmount,
  token: TokenAmount,
  /** This account's deposit in the PaymentVault (what uploads are paid from). */
  deposit: TokenAmount,
  blockNumber: z.number().int().nonnegative(),
});
export type WalletBalances = z.infer<typeof WalletBalances>;

export const TransferResult = z.object({
  txHash: Hash32,
  blockNumber: z.number().int().nonnegative(),
  amount: TokenAmount,
});

export const FaucetResult = z.object({
  txHashes: z.array(Hash32),
  native: TokenAmount,
  token: TokenAmount,
});

export const walletMethods = {
  status: method('Whether a wallet exists, is locked, and its accounts.', Empty, WalletStatus),
  create: method(
    'Open the view that creates a new wallet (recovery phrase shown once there).',
    Empty,
    SecureViewTicket,
  ),
  importMnemonic: method('Open the view that imports a recovery phrase.', Empty, SecureViewTicket),
  importKeystore: method('Open the view that imports a V3 keystore file.', Empty, SecureViewTicket),
  revealMnemonic: method(
    'Open the view that shows the recovery phrase after the password.',
    Empty,
    SecureViewTicket,
  ),
  unlock: method('Unlock with the password.', z.object({ password: Password }).strict(), WalletStatus),
  unlockWithKeychain: method('Unlock with the OS keychain, when enabled.', Empty, WalletStatus),
  lock: method('Lock now: forget every key until the next unlock.', Empty, WalletStatus),
  changePassword: method(
    'Re-encrypt the wallet under a new password.',
    z.object({ oldPassword: Password, newPassword: NewPassword }).strict(),
    WalletStatus,
  ),
  setAutoLock: method(
    'Minutes without use before the wallet locks itself (0 = never).',
    z
      .object({
        minutes: z
          .number()
          .int()
          .min(0)
          .max(24 * 60),
      })
      .strict(),
    WalletStatus,
  ),
  setKeychainUnlock: method(
    'Let the OS keychain unlock the wallet (or stop it). Needs the password.',
    z.object({ enabled: z.boolean(), password: Password }).strict(),
    WalletStatus,
  ),
  addAccount: method('Derive the next account from the recovery phrase.', Empty, WalletStatus),
  addresses: method('The EVM and note addresses of an account.', AccountSelector, WalletAddresses),
  balances: method('Native, token and PaymentVault balances of an account.', AccountSelector, WalletBalances),
  deposit: method(
    'Deposit tokens into the PaymentVault (permit + deposit in one transaction, after approval).',
    AccountSelector.extend({ amount: DecimalAmount }),
    TransferResult,
  ),
  withdraw: method(
    'Withdraw tokens from the PaymentVault back to the account (after approval).',
    AccountSelector.extend({ amount: DecimalAmount }),
    TransferResult,
  ),
  faucet: method(
    'Devnet only: fund the account with native coin and test tokens.',
    AccountSelector,
    FaucetResult,
  ),
};

export const walletEvents = {
  /** Lock state or accounts changed (unlocked, auto-locked, created, imported, account added). */
  'wallet.status': WalletStatus,
};
