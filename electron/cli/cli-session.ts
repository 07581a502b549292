/**
 * What a `coffer` command runs against: the core, in this process, for the data folder and network
 * the options name; passwords from a hidden prompt, `--password-file` or COFFER_PASSWORD; answers
 * to approval requests from a y/N prompt showing the summary (or `--yes`).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { ApprovalRequest } from '../../shared/api/approval';
import { defaultDataDir } from '../core/app-paths';
import { createCore, type Core } from '../core/core-app';
import { readNetworkManifest } from '../core/network/network-config';
import { UsageError, type Options, type OptionSpec } from './command';

export const PASSWORD_OPTIONS = {
  'password-file': {
    type: 'string',
    value: '<file>',
    description: 'Read the wallet password from the first line of this file (or set COFFER_PASSWORD)',
  },
} as const satisfies Options;

export const YES_OPTION = {
  yes: { type: 'boolean', short: 'y', description: 'Approve the request without asking (scripts)' },
} as const satisfies Record<string, OptionSpec>;

export const ACCOUNT_OPTION = {
  account: { type: 'string', value: '<index>', description: 'Account index (default 0)' },
} as const satisfies Record<string, OptionSpec>;

export interface SessionValues {
  'data-dir'?: string;
  network?: string;
  'password-file'?: string;
  yes?: boolean;
}

/** Line-oriented input: a terminal or a pipe (tests answer prompts through stdin). */
class Input {
  #lines: string[] = [];
  #waiting: Array<(line: string | null) => void> = [];
  #closed = false;
  #reader: ReturnType<typeof createInterface> | null = null;

  #start(): void {
    if (this.#reader) return;
    this.#reader = createInterface({ input: process.stdin, terminal: false });
    this.#reader.on('line', (line) => {
      const waiter = this.#waiting.shift();
      if (waiter) waiter(line);
      else this.#lines.push(line);
    });
    this.#reader.on('close', () => {
      this.#closed = true;
      for (const waiter of this.#waiting.splice(0)) waiter(null);
    });
  }

  line(): Promise<string | null> {
    this.#start();
    if (this.#lines.length) return Promise.resolve(this.#lines.shift()!);
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  close(): void {
    this.#reader?.close();
  }
}

export class CliSession {
  readonly dataDir: string;
  #core: Core | null = null;
  readonly #input = new Input();

  constructor(
    private readonly values: SessionValues,
    private readonly io: { out: (line?: string) => void; err: (line: string) => void },
  ) {
    this.dataDir = path.resolve(values['data-dir'] ?? defaultDataDir());
  }

  async core(): Promise<Core> {
    if (this.#core) return this.#core;
    await mkdir(this.dataDir, { recursive: true });
    const manifestFile = this.values.network ?? path.join(this.dataDir, 'network.json');
    const network =
      this.values.network || existsSync(manifestFile) ? await readNetworkManifest(manifestFile) : null;
    this.#core = await createCore({ dataDir: this.dataDir, mode: 'cli', network });
    this.#core.wallet.approvals.onRequested((request) => void this.#answer(request));
    return this.#core;
  }

  /** The wallet password: --password-file, COFFER_PASSWORD, or a hidden prompt. */
  async password(prompt = 'Wallet password: '): Promise<string> {
    if (this.values['password-file']) {
      const text = await readFile(this.values['password-file'], 'utf8');
      return text.split(/\r?\n/)[0] ?? '';
    }
    if (process.env.COFFER_PASSWORD) return process.env.COFFER_PASSWORD;
    return this.hidden(prompt);
  }

  /** A new password, asked twice when typed. */
  async newPassword(): Promise<string> {
    if (this.values['password-file'] || process.env.COFFER_PASSWORD) return this.password();
    const first = await this.hidden('New wallet password (at least 8 characters): ');
    const second = await this.hidden('The same password again: ');
    if (first !== second) throw new UsageError('the two passwords are not the same');
    return first;
  }

  /** Reads a secret without echoing it (a terminal), or a line (a pipe). */
  async hidden(prompt: string): Promise<string> {
    if (!process.stdin.isTTY) {
      const line = await this.ask(prompt);
      if (line === null)
        throw new UsageError(
          'no password given: use --password-file or COFFER_PASSWORD, or run in a terminal',
        );
      return line;
    }
    process.stderr.write(prompt);
    const stdin = process.stdin;
    stdin.setRawMode(true);
    stdin.resume();
    let value = '';
    try {
      return await new Promise<string>((resolve, reject) => {
        const onData = (chunk: Buffer) => {
          for (const char of chunk.toString('utf8')) {
            if (char === '\r' || char === '\n') {
              stdin.off('data', onData);
              resolve(value);
              return;
            }
            if (char === '\u0003') {
              stdin.off('data', onData);
              reject(new UsageError('cancelled'));
              return;
            }
            if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
            else value += char;
          }
        };
        stdin.on('data', onData);
      });
    } finally {
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    }
  }

  /** Asks a question and reads one line of the answer (null at end of input). */
  async ask(question: string): Promise<string | null> {
    process.stderr.write(question);
    return this.#input.line();
  }

  async close(): Promise<void> {
    this.#input.close();
    await this.#core?.close();
  }

  async #answer(request: ApprovalRequest): Promise<void> {
    const { summary } = request;
    const lines = [
      '',
      `Approval requested: ${summary.title}`,
      `  account:   ${summary.account}`,
      `  amount:    up to ${summary.amount.formatted} ${summary.amount.symbol}`,
      `  deadline:  ${new Date(summary.deadline * 1000).toISOString()}`,
      ...summary.counterparties.map((c) => `  ${c.role}: ${c.address}${c.label ? ` (${c.label})` : ''}`),
      ...summary.details.map((d) => `  ${d.label}: ${d.value}`),
      ...request.domains.map(
        (d) => `  domain:    ${d.name} v${d.version}, chain ${d.chainId}, ${d.verifyingContract}`,
      ),
      `  hash:      ${request.hash}`,
    ];
    for (const line of lines) this.io.err(line);
    let approve = Boolean(this.values.yes);
    if (approve) this.io.err('Approved (--yes).');
    else approve = /^y(es)?$/i.test(((await this.ask('Approve? [y/N] ')) ?? '').trim());
    const core = await this.core();
    try {
      core.wallet.approvals.respond({
        id: request.id,
        hash: request.hash,
        decision: approve ? 'approve' : 'reject',
      });
    } catch {
      // Already settled (expired or cancelled): the waiting command reports it.
    }
  }
}

export type Io = { out: (line?: string) => void; err: (line: string) => void };

/** Opens a session for one command and always closes it. */
export async function withSession(
  values: SessionValues,
  io: Io,
  work: (session: CliSession) => Promise<void>,
): Promise<void> {
  const session = new CliSession(values, io);
  try {
    await work(session);
  } finally {
    await session.close();
  }
}

export function accountOf(values: { account?: string }): number {
  if (values.account === undefined) return 0;
  if (!/^\d+$/.test(values.account))
    throw new UsageError(`--account must be a whole number, got "${values.account}"`);
  return Number(values.account);
}

export async function unlocked(session: CliSession): Promise<void> {
  const core = await session.core();
  await core.wallet.vault.unlock(await session.password());
}

/** Dispatches through the contract, as the app does, and unwraps the envelope. */
export async function call<T>(session: CliSession, channel: string, input: unknown): Promise<T> {
  const envelope = await (await session.core()).dispatch(channel, input, { transport: 'cli' });
  if (!envelope.ok) throw Object.assign(new Error(envelope.error.message), { code: envelope.error.code });
  return envelope.value as T;
}
