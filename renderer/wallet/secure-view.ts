/**
 * Opens a main-process-controlled view (create, import, reveal). Electron opens its own window and
 * says so (`opened`); in browser mode the page opens the one-time link in a new tab, with
 * `noopener` so that tab has no handle back to this page (and this page none on it).
 */
import type { SecureViewKind, SecureViewTicket } from '../../shared/api/wallet';
import { api, transportKind } from '../api/client';

const ISSUE: Record<SecureViewKind, () => Promise<SecureViewTicket>> = {
  create: () => api.wallet.create({}),
  'import-mnemonic': () => api.wallet.importMnemonic({}),
  'import-keystore': () => api.wallet.importKeystore({}),
  reveal: () => api.wallet.revealMnemonic({}),
};

export async function openSecureView(kind: SecureViewKind): Promise<void> {
  const ticket = await ISSUE[kind]();
  if (!ticket.opened) window.open(ticket.url, '_blank', 'noopener,noreferrer');
}

/** What the user should look for: a window of its own in Electron, a new tab in a browser. */
export const SECURE_VIEW_NOUN = transportKind === 'electron' ? 'window' : 'tab';
