/**
 * Which window may call which API channel over IPC. The approval window may only list and answer
 * approvals; only it may answer them (the main window's renderer cannot approve what it asked
 * for). The drop window may start and follow uploads and read what its page shows, nothing of
 * the wallet's keys or funds. Secure-view windows have no preload and may call nothing.
 */
import { APPROVAL_WINDOW_CHANNELS } from '../../shared/api/approval';

export type WindowRole = 'main' | 'approval' | 'drop' | 'other';

/** What the drop window's page calls: uploads, its settings, and the status it shows. */
export const DROP_WINDOW_CHANNELS = [
  'app.info',
  'network.status',
  'wallet.status',
  'upload.start',
  'upload.list',
  'upload.get',
  'upload.pause',
  'upload.resume',
  'upload.cancel',
  'upload.settings',
] as const;

export function channelAllowed(channel: string, role: WindowRole): boolean {
  if (role === 'approval') return (APPROVAL_WINDOW_CHANNELS as readonly string[]).includes(channel);
  if (role === 'drop') return (DROP_WINDOW_CHANNELS as readonly string[]).includes(channel);
  if (role === 'main') return channel !== 'approval.respond';
  return false;
}

/** Which events a window receives: the approval window only approval events, the drop window its uploads'. */
export function eventAllowed(event: string, role: WindowRole): boolean {
  if (role === 'approval') return event.startsWith('approval.');
  if (role === 'drop') return ['upload.progress', 'wallet.status', 'network.status'].includes(event);
  return role === 'main';
}
