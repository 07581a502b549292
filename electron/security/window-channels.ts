/**
 * Which window may call which API channel over IPC. The approval window may only list and answer
 * approvals; only it may answer them (the main window's renderer cannot approve what it asked
 * for); secure-view windows have no preload and may call nothing.
 */
import { APPROVAL_WINDOW_CHANNELS } from '../../shared/api/approval';

export type WindowRole = 'main' | 'approval' | 'other';

export function channelAllowed(channel: string, role: WindowRole): boolean {
  if (role === 'approval') return (APPROVAL_WINDOW_CHANNELS as readonly string[]).includes(channel);
  if (role === 'main') return channel !== 'approval.respond';
  return false;
}

/** Which events a window receives: the approval window only approval events. */
export function eventAllowed(event: string, role: WindowRole): boolean {
  if (role === 'approval') return event.startsWith('approval.');
  return role === 'main';
}
