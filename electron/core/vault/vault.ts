/**
 * The vault: the one place in the app that holds the wallet's keys, and only while unlocked.
 *
 * Locked, it knows the vault file's public part (kind, account addresses, settings). Unlocked, it
 * holds the data key, the root secret and each account's derived keys in Uint8Arrays, all zeroed on
 * lock (explicit, auto-lock after idle, or close). Every change to the file is a full atomic
 * rewrite, and a wrong password or a bad input changes nothing. Keys leave only as signatures
 * (signer), and the note secret keys as copies for the sync workers; the recovery phrase leaves
 * only towards a main-process-controlled view (secure-views.ts) or the terminal (CLI).
 */
import path from 'node:path';
import { CofferError } from '../../../shared/api/errors';
import type { WalletStatus } from '../../../shared/api/wallet';
import type { Address } from '../../../shared/network-manifest';
import type { KeychainAdapter } from './keychain';
import { decryptKeystore } from './keystore-v3';
import {
  deriveAccount,
  MAX_ACCOUNT_INDEX,
  noteSealingKey,
  seedFromMnemonic,
  wipeAccount,
  wipeRoot,
  type AccountKeys,
  type RootSecret,
} from './key-derivation';
import { entropyOfMnemonic, mnemonicOfEntropy } from './mnemonic';
import type { ScryptParams } from './scrypt';
import {
  DEFAULT_AUTO_LOCK_MINUTES,
  DEFAULT_SCRYPT,
  MAX_AUTO_LOCK_MINUTES,
  openSecret,
  readVaultFile,
  resealSecret,
  sealNewVault,
  unwrapWithPassword,
  wipeSecret,
  withKeychainBlob,
  writeVaultFile,
  type VaultFile,
  type WalletSecret,
} from './vault-file';

export const VAULT_FILE_NAME = 'vault.json';
export const MIN_PASSWORD_LENGTH = 8;

export interface VaultOptions {
  dataDir: string;
  /** scrypt cost for new vaults and password changes; production default N = 2^17. */
  scrypt?: Omit<ScryptParams, 'dkLen'>;
  keychain?: KeychainAdapter | null;
  /** Called after every change of status (lock, unlock, auto-lock, accounts). */
  onStatus?: (status: WalletStatus) => void;
}

/** The public keys of an account: safe to show and to hand to the note codec. */
export interface AccountPublicKeys {
  index: number;
  address: Address;
  detectionPublicKey: Uint8Array;
  viewingPublicKey: Uint8Array;
}

interface Unlocked {
  dataKey: Buffer;
  secret: WalletSecret;
  root: RootSecret;
  accounts: Map<number, AccountKeys>;
}

export class Vault {
  readonly file: string;
  readonly #scrypt: Omit<ScryptParams, 'dkLen'>;
  readonly #keychain: KeychainAdapter | null;
  readonly #onStatus: (status: WalletStatus) => void;
  #stored: VaultFile | null | undefined;
  #unlocked: Unlocked | null = null;
  #idleTimer: NodeJS.Timeout | null = null;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: VaultOptions) {
    this.file = path.join(options.dataDir, VAULT_FILE_NAME);
    this.#scrypt = options.scrypt ?? { N: DEFAULT_SCRYPT.N, r: DEFAULT_SCRYPT.r, p: DEFAULT_SCRYPT.p };
    this.#keychain = options.keychain ?? null;
    this.#onStatus = options.onStatus ?? (() => {});
  }

  get isUnlocked(): boolean {
    return this.#unlocked !== null;
  }

  async status(): Promise<WalletStatus> {
    const stored = await this.#load();
    const availability = this.#keychain?.availability() ?? {
      available: false as const,
      reason: 'This app has no access to an OS keychain (only the desktop app has one).',
    };
    return {
      exists: stored !== null,
      locked: this.#unlocked === null,
      kind: stored?.public.kind ?? null,
      accounts: stored?.public.accounts.map(({ index, address }) => ({ index, address })) ?? [],
      autoLockMinutes: stored?.settings.autoLockMinutes ?? DEFAULT_AUTO_LOCK_MINUTES,
      keychain: {
        available: availability.available,
        enabled: Boolean(stored?.slots.keychain),
        problem: availability.available ? null : availability.reason,
      },
    };
  }

  /** Creates the wallet from a recovery phrase (new or imported). Leaves it unlocked. */
  createFromMnemonic(mnemonic: string, password: string): Promise<WalletStatus> {
    return this.#exclusive(async () => {
      const entropy = entropyOfMnemonic(mnemonic);
      return this.#create({ kind: 'mnemonic', entropy }, password);
    });
  }

  /** Creates the wallet from a V3 keystore file. Leaves it unlocked. */
  createFromKeystore(
    keystoreText: string,
    keystorePassword: string,
    password: string,
  ): Promise<WalletStatus> {
    return this.#exclusive(async () => {
      await this.#refuseIfExists();
      checkNewPassword(password);
      const { privateKey } = await decryptKeystore(keystoreText, keystorePassword);
      return this.#create({ kind: 'privateKey', privateKey }, password);
    });
  }

  unlock(password: string): Promise<WalletStatus> {
    return this.#exclusive(async () => {
      const stored = await this.#require();
      if (this.#unlocked) {
        // Still check the password: "unlock" must never succeed with a wrong one.
        (await unwrapWithPassword(stored, password)).fill(0);
        this.#touch();
        return this.status();
      }
      const dataKey = await unwrapWithPassword(stored, password);
      return this.#open(stored, dataKey);
    });
  }

  unlockWithKeychain(): Promise<WalletStatus> {
    return this.#exclusive(async () => {
      const stored = await this.#require();
      const keychain = this.#usableKeychain();
      if (!stored.slots.keychain)
        throw new CofferError(
          'CONFLICT',
          'Keychain unlock is not turned on for this wallet; unlock with the password',
        );
      if (this.#unlocked) return this.status();
      let dataKey: Buffer;
      try {
        dataKey = Buffer.from(await keychain.decrypt(Buffer.from(stored.slots.keychain.blob, 'base64')));
      } catch (error) {
        throw new CofferError(
          'FORBIDDEN',
          `The OS keychain refused to unlock the wallet: ${(error as Error).message}`,
        );
      }
      try {
        return await this.#open(stored, dataKey);
      } catch (error) {
        dataKey.fill(0);
        if (error instanceof CofferError && error.code === 'INTERNAL')
          throw new CofferError(
            'FORBIDDEN',
            'The OS keychain entry does not match this wallet; unlock with the password',
          );
        throw error;
      }
    });
  }

  lock(): Promise<WalletStatus> {
    return this.#exclusive(async () => {
      this.#wipe();
      this.#emit();
      return this.status();
    });
  }

  changePassword(oldPassword: string, newPassword: string): Promise<WalletStatus> {
    return this.#exclusive(async () => {
      const stored = await this.#require();
      checkNewPassword(newPassword);
      const oldKey = await unwrapWithPassword(stored, oldPassword);
      const secret = openSecret(stored, oldKey);
      oldKey.fill(0);
      try {
        // A new data key and salt: nothing sealed under the old password opens the new file.
        const { file, dataKey } = await sealNewVault({
          secret,
          public: stored.public,
          password: newPassword,
          scrypt: this.#scrypt,
          autoLockMinutes: stored.settings.autoLockMinutes,
        });
        const next = stored.slots.keychain
          ? withKeychainBlob(file, await this.#usableKeychain().encrypt(dataKey))
          : file;
        await this.#save(next);
        if (this.#unlocked) {
          this.#unlocked.dataKey.fill(0);
          this.#unlocked.dataKey = dataKey;
        } else {
          dataKey.fill(0);
        }
        return this.status();
      } finally {
        wipeSecret(secret);
      }
    });
  }

  setAutoLock(minutes: number): Promise<WalletStatus> {
    return this.#exclusive(async () => {
      if (!Number.isInteger(minutes) || minutes < 0 || minutes > MAX_AUTO_LOCK_MINUTES)
        throw new CofferError('INVALID_INPUT', `Auto-lock must be 0 to ${MAX_AUTO_LOCK_MINUTES} minutes`);
      const stored = await this.#require();
      await this.#save({ ...stored, settings: { ...stored.settings, autoLockMinutes: minutes } });
      this.#touch();
      return this.status();
    });
  }

  setKeychainUnlock(enabled: boolean, password: string): Promise<WalletStatus> {
    return this.#exclusive(async () => {
      const stored = await this.#require();
      const dataKey = await unwrapWithPassword(stored, password);
      try {
        if (!enabled) {
          await this.#save(withKeychainBlob(stored, null));
        } else {
          const blob = await this.#usableKeychain().encrypt(dataKey);
          await this.#save(withKeychainBlob(stored, blob));
        }
      } finally {
        dataKey.fill(0);
      }
      this.#emit();
      return this.status();
    });
  }

  /** Derives and records the next account (recovery-phrase wallets only). */
  addAccount(): Promise<WalletStatus> {
    return this.#exclusive(async () => {
      const stored = await this.#require();
      const unlocked = this.#requireUnlocked();
      if (stored.public.kind !== 'mnemonic')
        throw new CofferError('CONFLICT', 'A wallet imported from a keystore has a single account');
      const index = Math.max(...stored.public.accounts.map((a) => a.index)) + 1;
      if (index > MAX_ACCOUNT_INDEX)
        throw new CofferError('LIMIT_EXCEEDED', 'No more accounts can be derived');
      const account = deriveAccount(unlocked.root, index);
      unlocked.accounts.set(index, account);
      const next = {
        ...stored.public,
        accounts: [...stored.public.accounts, { index, address: account.address }],
      };
      await this.#save(resealSecret(stored, unlocked.dataKey, unlocked.secret, next));
      this.#touch();
      this.#emit();
      return this.status();
    });
  }

  /** The recovery phrase, after the password is entered again. Only for a main-process view. */
  revealMnemonic(password: string): Promise<string> {
    return this.#exclusive(async () => {
      const stored = await this.#require();
      if (stored.public.kind !== 'mnemonic')
        throw new CofferError(
          'CONFLICT',
          'This wallet was imported from a keystore: it has no recovery phrase',
        );
      const dataKey = await unwrapWithPassword(stored, password);
      const secret = openSecret(stored, dataKey);
      dataKey.fill(0);
      try {
        return mnemonicOfEntropy((secret as { entropy: Uint8Array }).entropy);
      } finally {
        wipeSecret(secret);
      }
    });
  }

  /** Public keys of an account (unlocked: ML-KEM keys need the root secret). */
  publicKeys(index = 0): AccountPublicKeys {
    const account = this.#account(index);
    return {
      index,
      address: account.address,
      detectionPublicKey: new Uint8Array(account.detection.publicKey),
      viewingPublicKey: new Uint8Array(account.viewing.publicKey),
    };
  }

  /** The account's address, locked or not. */
  async address(index = 0): Promise<Address> {
    const stored = await this.#require();
    const entry = stored.public.accounts.find((a) => a.index === index);
    if (!entry) throw new CofferError('NOT_FOUND', `This wallet has no account ${index}`);
    return entry.address as Address;
  }

  /**
   * Runs `use` with the account's private key. Only the signer calls this; the key is the vault's
   * own buffer, valid for the duration of the call and zeroed on lock.
   */
  withPrivateKey<T>(index: number, use: (privateKey: Uint8Array, address: Address) => T): T {
    const account = this.#account(index);
    return use(account.privateKey, account.address);
  }

  /** Copies of the note secret keys for the sync workers; the caller wipes them when done. */
  noteSecretKeys(index = 0): { detection: Uint8Array; viewing: Uint8Array } {
    const account = this.#account(index);
    return {
      detection: new Uint8Array(account.detection.secretKey),
      viewing: new Uint8Array(account.viewing.secretKey),
    };
  }

  /** A copy of the key that seals note secrets for the sync store; the caller wipes it. */
  noteSealingKey(): Uint8Array {
    const unlocked = this.#requireUnlocked();
    this.#touch();
    return noteSealingKey(unlocked.root);
  }

  /** Locks and stops the idle timer (app shutdown). */
  close(): void {
    this.#wipe();
  }

  // --- internals ---

  async #create(secret: WalletSecret, password: string): Promise<WalletStatus> {
    try {
      await this.#refuseIfExists();
      checkNewPassword(password);
      const root = rootOf(secret);
      const first = deriveAccount(root, 0);
      const { file, dataKey } = await sealNewVault({
        secret,
        public: {
          kind: secret.kind,
          accounts: [{ index: 0, address: first.address }],
          createdAt: new Date().toISOString(),
        },
        password,
        scrypt: this.#scrypt,
        autoLockMinutes: DEFAULT_AUTO_LOCK_MINUTES,
      });
      await this.#save(file);
      this.#wipe();
      this.#unlocked = { dataKey, secret, root, accounts: new Map([[0, first]]) };
      this.#touch();
      this.#emit();
      return this.status();
    } catch (error) {
      if (this.#unlocked?.secret !== secret) wipeSecret(secret);
      throw error;
    }
  }

  async #open(stored: VaultFile, dataKey: Buffer): Promise<WalletStatus> {
    const secret = openSecret(stored, dataKey);
    const root = rootOf(secret);
    const accounts = new Map(stored.public.accounts.map(({ index }) => [index, deriveAccount(root, index)]));
    for (const { index, address } of stored.public.accounts) {
      if (accounts.get(index)!.address.toLowerCase() !== address.toLowerCase()) {
        for (const account of accounts.values()) wipeAccount(account);
        wipeRoot(root);
        wipeSecret(secret);
        throw new CofferError(
          'INTERNAL',
          `The vault file is damaged: account ${index} does not match its key`,
        );
      }
    }
    this.#unlocked = { dataKey, secret, root, accounts };
    this.#touch();
    this.#emit();
    return this.status();
  }

  #account(index: number): AccountKeys {
    const unlocked = this.#requireUnlocked();
    const account = unlocked.accounts.get(index);
    if (!account) throw new CofferError('NOT_FOUND', `This wallet has no account ${index}`);
    this.#touch();
    return account;
  }

  #requireUnlocked(): Unlocked {
    if (!this.#unlocked) throw new CofferError('LOCKED', 'The wallet is locked: unlock it first');
    return this.#unlocked;
  }

  async #require(): Promise<VaultFile> {
    const stored = await this.#load();
    if (!stored) throw new CofferError('NO_WALLET', 'There is no wallet yet: create or import one');
    return stored;
  }

  async #refuseIfExists(): Promise<void> {
    if (await this.#load())
      throw new CofferError('WALLET_EXISTS', `A wallet already exists in ${path.dirname(this.file)}`);
  }

  async #load(): Promise<VaultFile | null> {
    if (this.#stored === undefined) this.#stored = await readVaultFile(this.file);
    return this.#stored;
  }

  async #save(next: VaultFile): Promise<void> {
    await writeVaultFile(this.file, next);
    this.#stored = next;
  }

  #usableKeychain(): KeychainAdapter {
    const availability = this.#keychain?.availability();
    if (!this.#keychain || !availability?.available)
      throw new CofferError(
        'FORBIDDEN',
        `The OS keychain cannot be used: ${availability && !availability.available ? availability.reason : 'none is available to this app'}`,
      );
    return this.#keychain;
  }

  /** Restarts the idle countdown; any use of a key counts. */
  #touch(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
    const minutes = this.#stored?.settings.autoLockMinutes ?? DEFAULT_AUTO_LOCK_MINUTES;
    if (!this.#unlocked || minutes === 0) return;
    this.#idleTimer = setTimeout(() => {
      this.#wipe();
      this.#emit();
    }, minutes * 60_000);
    this.#idleTimer.unref();
  }

  #wipe(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
    const unlocked = this.#unlocked;
    this.#unlocked = null;
    if (!unlocked) return;
    unlocked.dataKey.fill(0);
    wipeSecret(unlocked.secret);
    wipeRoot(unlocked.root);
    for (const account of unlocked.accounts.values()) wipeAccount(account);
  }

  #emit(): void {
    void this.status().then(this.#onStatus, () => undefined);
  }

  /** One state change at a time: an unlock racing a password change must see one or the other. */
  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

function rootOf(secret: WalletSecret): RootSecret {
  if (secret.kind === 'privateKey')
    return { kind: 'privateKey', privateKey: new Uint8Array(secret.privateKey) };
  // The words exist as a string only for this call: BIP-39 hashes the phrase, not the entropy.
  return { kind: 'mnemonic', seed: seedFromMnemonic(mnemonicOfEntropy(secret.entropy)) };
}

function checkNewPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new CofferError(
      'INVALID_INPUT',
      `The password is too short: use at least ${MIN_PASSWORD_LENGTH} characters`,
    );
}
