/**
 * `coffer wallet …`: create, import, address, balance, deposit, withdraw, faucet, lock, unlock.
 * The terminal is this process's own view: the recovery phrase of a new wallet is printed here
 * once and confirmed; everything else goes through the same core the app runs.
 */
import { readFile } from 'node:fs/promises';
import { generateMnemonic, pickConfirmationPositions } from '../core/vault/mnemonic';
import { command, group, UsageError, type Options } from './command';
import {
  accountOf,
  ACCOUNT_OPTION,
  call,
  PASSWORD_OPTIONS,
  unlocked,
  withSession,
  YES_OPTION,
} from './cli-session';

function amountOf(positionals: string[]): string {
  const [amount, ...extra] = positionals;
  if (!amount || extra.length) throw new UsageError('give exactly one amount, e.g. 12.5');
  return amount;
}

const create = command({
  name: 'create',
  summary: 'Create a new wallet: shows its 24-word recovery phrase once and asks for three of the words.',
  options: PASSWORD_OPTIONS,
  run: ({ values, out, err }) =>
    withSession(values, { out, err }, async (session) => {
      const { vault } = (await session.core()).wallet;
      if ((await vault.status()).exists)
        throw Object.assign(new Error(`A wallet already exists in ${session.dataDir}`), {
          code: 'WALLET_EXISTS',
        });
      const password = await session.newPassword();
      const words = generateMnemonic().split(' ');
      out('Your recovery phrase. Write it down, in order, and keep it offline; it is not shown again:');
      out();
      for (let i = 0; i < words.length; i += 4)
        out(
          words
            .slice(i, i + 4)
            .map((w, j) => `${String(i + j + 1).padStart(2)}. ${w.padEnd(10)}`)
            .join('  ')
            .trimEnd(),
        );
      out();
      for (const position of pickConfirmationPositions(words.length)) {
        const answer = (await session.ask(`Word #${position + 1}: `))?.trim().toLowerCase();
        if (answer !== words[position])
          throw Object.assign(
            new Error(
              'That word does not match the phrase; nothing was created. Run `coffer wallet create` again.',
            ),
            {
              code: 'INVALID_INPUT',
            },
          );
      }
      const status = await vault.createFromMnemonic(words.join(' '), password);
      out(`Wallet created in ${session.dataDir}`);
      out(`Account 0: ${status.accounts[0]!.address}`);
    }),
});

const importCommand = command({
  name: 'import',
  summary: 'Import a wallet from a recovery phrase or a V3 keystore file.',
  options: {
    'mnemonic-file': {
      type: 'string',
      value: '<file>',
      description: 'Read the recovery phrase from this file (otherwise asked for)',
    },
    keystore: {
      type: 'string',
      value: '<file>',
      description: 'Import this V3 keystore file instead of a phrase',
    },
    'keystore-password-file': {
      type: 'string',
      value: '<file>',
      description: "The keystore's password, first line of this file (or COFFER_KEYSTORE_PASSWORD)",
    },
    ...PASSWORD_OPTIONS,
  },
  run: ({ values, out, err }) =>
    withSession(values, { out, err }, async (session) => {
      const { vault } = (await session.core()).wallet;
      let status;
      if (values.keystore) {
        const text = await readFile(values.keystore, 'utf8');
        const keystorePassword = values['keystore-password-file']
          ? ((await readFile(values['keystore-password-file'], 'utf8')).split(/\r?\n/)[0] ?? '')
          : (process.env.COFFER_KEYSTORE_PASSWORD ?? (await session.hidden('Keystore password: ')));
        status = await vault.createFromKeystore(text, keystorePassword, await session.newPassword());
      } else {
        const phrase = values['mnemonic-file']
          ? await readFile(values['mnemonic-file'], 'utf8')
          : await session.hidden('Recovery phrase (words separated by spaces): ');
        status = await vault.createFromMnemonic(phrase, await session.newPassword());
      }
      out(`Wallet imported into ${session.dataDir}`);
      out(`Account 0: ${status.accounts[0]!.address}`);
    }),
});

const address = command({
  name: 'address',
  summary: "Print an account's EVM address (and its note address with --note).",
  options: {
    ...ACCOUNT_OPTION,
    note: { type: 'boolean', description: 'Also print the note address (needs the password)' },
    ...PASSWORD_OPTIONS,
  },
  run: ({ values, out, err }) =>
    withSession(values, { out, err }, async (session) => {
      const account = accountOf(values);
      if (values.note) await unlocked(session);
      const result = await call<{ evm: string; note: string | null }>(session, 'wallet.addresses', {
        account,
      });
      out(result.evm);
      if (values.note)
        out(result.note ?? 'note address: not available (the note codec is not in this build)');
    }),
});

const balance = command({
  name: 'balance',
  summary: 'Native coin, token and PaymentVault deposit of an account.',
  options: ACCOUNT_OPTION,
  run: ({ values, out, err }) =>
    withSession(values, { out, err }, async (session) => {
      type Amount = { formatted: string; symbol: string };
      const b = await call<{
        address: string;
        native: Amount;
        token: Amount;
        deposit: Amount;
        blockNumber: number;
      }>(session, 'wallet.balances', { account: accountOf(values) });
      out(`account  ${b.address}`);
      out(`native   ${b.native.formatted} ${b.native.symbol}`);
      out(`token    ${b.token.formatted} ${b.token.symbol}`);
      out(`deposit  ${b.deposit.formatted} ${b.deposit.symbol} (PaymentVault)`);
      out(`block    ${b.blockNumber}`);
    }),
});

/** deposit and withdraw: unlock, ask for approval, send, print the transaction. */
function transfer(name: 'deposit' | 'withdraw', summary: string) {
  const options = { ...ACCOUNT_OPTION, ...YES_OPTION, ...PASSWORD_OPTIONS } satisfies Options;
  return command({
    name,
    summary,
    args: '<amount>',
    options,
    run: ({ values, positionals, out, err }) =>
      withSession(values, { out, err }, async (session) => {
        const amount = amountOf(positionals);
        await unlocked(session);
        const result = await call<{
          txHash: string;
          blockNumber: number;
          amount: { formatted: string; symbol: string };
        }>(session, `wallet.${name}`, { account: accountOf(values), amount });
        out(
          `${name === 'deposit' ? 'Deposited' : 'Withdrew'} ${result.amount.formatted} ${result.amount.symbol}`,
        );
        out(`transaction ${result.txHash} (block ${result.blockNumber})`);
      }),
  });
}

const faucet = command({
  name: 'faucet',
  summary: 'Devnet only: fund an account with coin for fees and test tokens.',
  options: ACCOUNT_OPTION,
  run: ({ values, out, err }) =>
    withSession(values, { out, err }, async (session) => {
      const result = await call<{
        native: { formatted: string; symbol: string };
        token: { formatted: string; symbol: string };
      }>(session, 'wallet.faucet', { account: accountOf(values) });
      out(
        `Received ${result.native.formatted} ${result.native.symbol} and ${result.token.formatted} ${result.token.symbol}`,
      );
    }),
});

const unlock = command({
  name: 'unlock',
  summary: 'Check the password: unlocks the wallet for this command only and lists its accounts.',
  options: PASSWORD_OPTIONS,
  run: ({ values, out, err }) =>
    withSession(values, { out, err }, async (session) => {
      await unlocked(session);
      const status = await (await session.core()).wallet.vault.status();
      out('The password is right. Accounts:');
      for (const a of status.accounts) out(`  ${a.index}: ${a.address}`);
      out('Nothing stays unlocked after a coffer command ends; commands that sign ask for the password.');
    }),
});

const lock = command({
  name: 'lock',
  summary: 'Show the lock state: the CLI never keeps a wallet unlocked between commands.',
  options: {},
  run: ({ values, out, err }) =>
    withSession(values, { out, err }, async (session) => {
      const status = await (await session.core()).wallet.vault.status();
      if (!status.exists) out(`There is no wallet in ${session.dataDir}.`);
      else
        out(
          'The wallet is locked: every coffer command locks it when it ends. (The app locks its own session from its window.)',
        );
    }),
});

export const walletCommands = group('wallet', 'Create, import and use the wallet.', [
  create,
  importCommand,
  address,
  balance,
  transfer('deposit', 'Deposit tokens into the PaymentVault (one permit + deposit transaction).'),
  transfer('withdraw', 'Withdraw tokens from the PaymentVault back to the account.'),
  faucet,
  lock,
  unlock,
]);
