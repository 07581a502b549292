/**
 * Main-process-controlled views: where a recovery phrase or a keystore is typed, and where a new
 * or existing recovery phrase is shown. They are static HTML forms rendered here, in the core, and
 * their posts are handled here too, so the words never pass through the renderer or its API.
 *
 * Transport-agnostic: `handle(method, path, form)` answers `{ status, headers, html }`. Electron
 * main serves it on app://secure/ in its own window and session; the browser host serves it under
 * /secure-view/ in browser mode. A view is reached by a one-time ticket (random, 2 minutes to
 * open, 15 to finish): the first GET opens it, any later GET is refused, and each form carries a
 * one-time step token, so only the page the ticket opened can post to it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { CofferError } from '../../../shared/api/errors';
import type { SecureViewKind, SecureViewTicket } from '../../../shared/api/wallet';
import { generateMnemonic, pickConfirmationPositions } from './mnemonic';
import {
  escapeHtml,
  form,
  notice,
  page,
  passwordField,
  secureViewHeaders,
  textField,
  wordList,
} from './secure-view-pages';
import { MIN_PASSWORD_LENGTH, type Vault } from './vault';

export const SECURE_VIEW_PREFIX = '/secure-view/';
export const TICKET_TTL_MS = 2 * 60_000;
export const SESSION_TTL_MS = 15 * 60_000;
const MAX_ATTEMPTS = 5;
const MAX_FIELD_CHARS = 64 * 1024;

export interface SecureViewResponse {
  status: number;
  headers: Record<string, string>;
  html: string;
}

export type SecureViewForm = Record<string, string>;

interface Session {
  kind: SecureViewKind;
  expiresAt: number;
  opened: boolean;
  token: string;
  attempts: number;
  /** Create flow: the words and password held between steps, dropped when the session ends. */
  pending: { words: string[]; password: string; positions: number[] } | null;
}

export interface SecureViewsOptions {
  vault: Vault;
  /** Opens a view itself (Electron: a window); without it the caller opens the URL. */
  open?: (url: string) => void;
}

export class SecureViews {
  readonly #sessions = new Map<string, Session>();
  #baseUrl = 'http://127.0.0.1';

  constructor(private readonly options: SecureViewsOptions) {}

  /** Where views are served: `app://secure` in Electron, the browser host's origin in browser mode. */
  setBaseUrl(url: string): void {
    this.#baseUrl = url.replace(/\/+$/, '');
  }

  async issue(kind: SecureViewKind): Promise<SecureViewTicket> {
    const status = await this.options.vault.status();
    if (kind === 'reveal' && !status.exists)
      throw new CofferError('NO_WALLET', 'There is no wallet yet: create or import one');
    if (kind !== 'reveal' && status.exists)
      throw new CofferError(
        'WALLET_EXISTS',
        'A wallet already exists; Coffer keeps one wallet per data folder',
      );
    if (kind === 'reveal' && status.kind !== 'mnemonic')
      throw new CofferError(
        'CONFLICT',
        'This wallet was imported from a keystore: it has no recovery phrase',
      );
    this.#sweep();
    const ticket = randomBytes(32).toString('base64url');
    const expiresAt = Date.now() + TICKET_TTL_MS;
    this.#sessions.set(ticket, {
      kind,
      expiresAt,
      opened: false,
      token: '',
      attempts: 0,
      pending: null,
    });
    const url = `${this.#baseUrl}${SECURE_VIEW_PREFIX}${ticket}`;
    this.options.open?.(url);
    return { kind, url, expiresAt, opened: Boolean(this.options.open) };
  }

  /** Whether a path belongs to the secure views (for transports routing requests). */
  static matches(path: string): boolean {
    return path.startsWith(SECURE_VIEW_PREFIX);
  }

  async handle(method: string, path: string, formInput: SecureViewForm = {}): Promise<SecureViewResponse> {
    this.#sweep();
    const ticket = path.startsWith(SECURE_VIEW_PREFIX) ? path.slice(SECURE_VIEW_PREFIX.length) : '';
    const session = /^[A-Za-z0-9_-]{43}$/.test(ticket) ? this.#sessions.get(ticket) : undefined;
    if (!session) return gone();
    if (method === 'GET') {
      if (session.opened) return gone();
      session.opened = true;
      session.expiresAt = Date.now() + SESSION_TTL_MS;
      return this.#firstStep(session);
    }
    if (method !== 'POST')
      return respond(405, page('Not allowed', notice('error', 'This page only accepts its own form.')));
    const form = clip(formInput);
    if (!session.opened || !sameToken(form.token, session.token)) return gone();
    if (form.action === 'cancel') {
      this.#end(ticket);
      return respond(200, page('Cancelled', notice('ok', 'Nothing was changed. You can close this window.')));
    }
    try {
      return await this.#step(ticket, session, form);
    } catch (error) {
      this.#end(ticket);
      const message =
        error instanceof CofferError ? error.message : 'Something went wrong; nothing was changed.';
      return respond(200, page('Stopped', notice('error', message)));
    }
  }

  // --- the flows ---

  #firstStep(session: Session): SecureViewResponse {
    switch (session.kind) {
      case 'create':
        return this.#render(session, 'Create a wallet', createPasswordFields(), 'Continue', {
          intro: 'Choose the password that will unlock this wallet on this computer.',
        });
      case 'import-mnemonic':
        return this.#render(session, 'Import a recovery phrase', importMnemonicFields(''), 'Import');
      case 'import-keystore':
        return this.#render(session, 'Import a keystore file', importKeystoreFields(), 'Import', {
          multipart: true,
        });
      case 'reveal':
        return this.#render(session, 'Show the recovery phrase', revealFields(), 'Show the words', {
          intro: 'Enter your password to see the recovery phrase. Make sure nobody can see your screen.',
        });
    }
  }

  async #step(ticket: string, session: Session, form: SecureViewForm): Promise<SecureViewResponse> {
    const vault = this.options.vault;
    switch (session.kind) {
      case 'create': {
        if (!session.pending) {
          const problem = newPasswordProblem(form.password, form.confirm);
          if (problem)
            return this.#render(session, 'Create a wallet', createPasswordFields(), 'Continue', {
              error: problem,
            });
          const words = generateMnemonic().split(' ');
          session.pending = {
            words,
            password: form.password!,
            positions: pickConfirmationPositions(words.length),
          };
          return this.#render(session, 'Write down your recovery phrase', '', 'I have written them down', {
            intro:
              'These 24 words are the only way to recover this wallet. Write them down, in order, and keep them offline. ' +
              'Coffer shows them only now; you will be asked for three of them next.',
            above: wordList(words),
          });
        }
        if (form.step !== 'confirm') return this.#confirmPage(session);
        const { words, password, positions } = session.pending;
        const right = positions.every((p) => (form[`word${p}`] ?? '').trim().toLowerCase() === words[p]);
        if (!right) {
          session.attempts++;
          if (session.attempts >= 3) {
            this.#end(ticket);
            return respond(
              200,
              page(
                'Not created',
                notice(
                  'error',
                  'The words did not match three times. Nothing was created; start again from Coffer.',
                ),
              ),
            );
          }
          return this.#confirmPage(
            session,
            'Those words do not match the phrase. Check your copy and try again.',
          );
        }
        const status = await vault.createFromMnemonic(words.join(' '), password);
        this.#end(ticket);
        return done('Your wallet is ready', status.accounts[0]?.address);
      }
      case 'import-mnemonic': {
        const retry = (message: string) =>
          this.#retry(
            ticket,
            session,
            'Import a recovery phrase',
            importMnemonicFields(form.phrase ?? ''),
            'Import',
            message,
          );
        const problem = newPasswordProblem(form.password, form.confirm);
        if (problem) return retry(problem);
        try {
          const status = await vault.createFromMnemonic(form.phrase ?? '', form.password!);
          this.#end(ticket);
          return done('Recovery phrase imported', status.accounts[0]?.address);
        } catch (error) {
          if (!(error instanceof CofferError) || error.code !== 'INVALID_INPUT') throw error;
          return retry(error.message);
        }
      }
      case 'import-keystore': {
        const problem = newPasswordProblem(form.password, form.confirm);
        const retry = (message: string) =>
          this.#retry(ticket, session, 'Import a keystore file', importKeystoreFields(), 'Import', message, {
            multipart: true,
          });
        if (problem) return retry(problem);
        const text = (form.keystoreFile || form.keystoreText || '').trim();
        if (!text) return retry('Choose the keystore file, or paste its contents.');
        try {
          const status = await vault.createFromKeystore(text, form.keystorePassword ?? '', form.password!);
          this.#end(ticket);
          return done('Keystore imported', status.accounts[0]?.address);
        } catch (error) {
          if (!(error instanceof CofferError) || !['INVALID_INPUT', 'WRONG_PASSWORD'].includes(error.code))
            throw error;
          return retry(error.code === 'WRONG_PASSWORD' ? 'The keystore password is wrong.' : error.message);
        }
      }
      case 'reveal': {
        try {
          const words = (await vault.revealMnemonic(form.password ?? '')).split(' ');
          this.#end(ticket);
          return respond(
            200,
            page(
              'Your recovery phrase',
              notice('warn', 'Anyone who sees these words can take everything in this wallet.') +
                wordList(words) +
                '<p class="muted">Close this window when you are done. Coffer will not show it again without your password.</p>',
            ),
          );
        } catch (error) {
          if (!(error instanceof CofferError) || error.code !== 'WRONG_PASSWORD') throw error;
          return this.#retry(
            ticket,
            session,
            'Show the recovery phrase',
            revealFields(),
            'Show the words',
            'The password is wrong.',
          );
        }
      }
    }
  }

  #confirmPage(session: Session, error?: string): SecureViewResponse {
    const positions = session.pending!.positions;
    const fields =
      '<input type="hidden" name="step" value="confirm">' +
      positions.map((p) => textField(`word${p}`, `Word #${p + 1}`, '', 'required')).join('\n');
    return this.#render(session, 'Confirm your recovery phrase', fields, 'Create the wallet', {
      intro: 'Type these words from your copy of the phrase.',
      error,
    });
  }

  #retry(
    ticket: string,
    session: Session,
    title: string,
    fields: string,
    submit: string,
    error: string,
    options: { multipart?: boolean } = {},
  ): SecureViewResponse {
    session.attempts++;
    if (session.attempts >= MAX_ATTEMPTS) {
      this.#end(ticket);
      return respond(
        200,
        page('Stopped', notice('error', `${error} Too many attempts: open this view again from Coffer.`)),
      );
    }
    return this.#render(session, title, fields, submit, { ...options, error });
  }

  #render(
    session: Session,
    title: string,
    fields: string,
    submit: string,
    options: { intro?: string; error?: string; above?: string; multipart?: boolean } = {},
  ): SecureViewResponse {
    session.token = randomBytes(24).toString('base64url');
    const body =
      (options.error ? notice('error', options.error) : '') +
      (options.intro ? `<p>${escapeHtml(options.intro)}</p>` : '') +
      (options.above ?? '') +
      form(session.token, fields, submit, { multipart: options.multipart });
    return respond(200, page(title, body));
  }

  #end(ticket: string): void {
    const session = this.#sessions.get(ticket);
    if (session) session.pending = null;
    this.#sessions.delete(ticket);
  }

  #sweep(): void {
    const now = Date.now();
    for (const [ticket, session] of this.#sessions) if (session.expiresAt < now) this.#end(ticket);
  }
}

function createPasswordFields(): string {
  return (
    passwordField('password', `Password (at least ${MIN_PASSWORD_LENGTH} characters)`, 'new-password') +
    passwordField('confirm', 'The same password again', 'new-password')
  );
}

function importMnemonicFields(phrase: string): string {
  return (
    `<label>Recovery phrase (12 to 24 words)<textarea name="phrase" required autocomplete="off" autocapitalize="off" spellcheck="false">${escapeHtml(phrase)}</textarea></label>` +
    createPasswordFields()
  );
}

function importKeystoreFields(): string {
  return (
    '<label>Keystore file (JSON)<input type="file" name="keystoreFile" accept=".json,application/json,text/plain"></label>' +
    '<label>…or paste its contents<textarea name="keystoreText" autocomplete="off" spellcheck="false"></textarea></label>' +
    passwordField('keystorePassword', 'The keystore file’s password', 'current-password') +
    createPasswordFields()
  );
}

function revealFields(): string {
  return passwordField('password', 'Password', 'current-password');
}

function newPasswordProblem(password: string | undefined, confirm: string | undefined): string | null {
  if (!password || password.length < MIN_PASSWORD_LENGTH)
    return `The password is too short: use at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password !== confirm) return 'The two passwords are not the same.';
  return null;
}

function done(title: string, address: string | undefined): SecureViewResponse {
  return respond(
    200,
    page(
      title,
      notice('ok', 'The wallet is saved, encrypted with your password.') +
        (address ? `<p>Account 0: <code>${escapeHtml(address)}</code></p>` : '') +
        '<p class="muted">You can close this window and go back to Coffer.</p>',
    ),
  );
}

function gone(): SecureViewResponse {
  return respond(
    410,
    page(
      'This link has expired',
      notice('error', 'This link was already used or has expired. Open the view again from Coffer.'),
    ),
  );
}

function respond(status: number, html: string): SecureViewResponse {
  return { status, headers: secureViewHeaders(), html };
}

function clip(form: SecureViewForm): SecureViewForm {
  const out: SecureViewForm = {};
  for (const [key, value] of Object.entries(form)) {
    if (typeof value === 'string' && /^[A-Za-z0-9_]{1,32}$/.test(key))
      out[key] = value.slice(0, MAX_FIELD_CHARS);
  }
  return out;
}

function sameToken(given: string | undefined, expected: string): boolean {
  if (!given || !expected) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The largest form a secure view accepts (a keystore file is well under this). */
export const MAX_FORM_BYTES = 256 * 1024;

/**
 * Reads a form post (urlencoded or multipart; a file field becomes its text) from a web Request,
 * as Electron's protocol handler gives it and the browser host builds it.
 */
export async function readSecureViewForm(request: Request): Promise<SecureViewForm | null> {
  const body = await request.arrayBuffer();
  if (body.byteLength > MAX_FORM_BYTES) return null;
  const type = request.headers.get('content-type') ?? '';
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) return {};
  const data = await new Request('http://form.invalid/', {
    method: 'POST',
    headers: { 'content-type': type },
    body,
  }).formData();
  const form: SecureViewForm = {};
  for (const [key, value] of data) form[key] = typeof value === 'string' ? value : await value.text();
  return form;
}
