/**
 * The renderer's one handle on the core: `window.coffer` where the Electron preload put it,
 * otherwise a client of the browser host built from the same contract.
 */
import { buildClient } from '../../shared/api/client-builder';
import { contract, type CofferApi } from '../../shared/api/contract';
import { createHostTransport } from './host-transport';

declare global {
  interface Window {
    coffer?: CofferApi;
  }
}

const TOKEN_KEY = 'coffer.hostToken';

/** Reads the per-run token from the launch URL once, keeps it for this tab, and hides it. */
function takeHostToken(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.toString());
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

function createApi(): { api: CofferApi; transport: 'electron' | 'browser'; hostToken: string | null } {
  if (window.coffer) return { api: window.coffer, transport: 'electron', hostToken: null };
  const token = takeHostToken();
  const wsUrl = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/api`;
  return {
    api: buildClient(contract, createHostTransport(wsUrl, token)),
    transport: 'browser',
    hostToken: token,
  };
}

const created = createApi();
export const api: CofferApi = created.api;
export const transportKind = created.transport;
/** Browser mode only: the token for the host's HTTP routes (file staging). */
export const hostToken = created.hostToken;
