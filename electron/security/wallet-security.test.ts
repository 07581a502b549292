import { describe, expect, it } from 'vitest';
import { contract } from '../../shared/api/contract';
import { listChannels } from '../../shared/api/define';
import { keychainAvailability } from './keychain-policy';
import { channelAllowed, DROP_WINDOW_CHANNELS, eventAllowed } from './window-channels';

describe('which window may call what', () => {
  const channels = listChannels(contract).map(([, , channel]) => channel);

  it('only the approval window answers approvals, and it calls nothing else', () => {
    expect(channels.filter((c) => channelAllowed(c, 'approval')).sort()).toEqual([
      'approval.list',
      'approval.respond',
    ]);
    expect(channelAllowed('approval.respond', 'main')).toBe(false);
    expect(channelAllowed('approval.list', 'main')).toBe(true);
    expect(channelAllowed('wallet.status', 'main')).toBe(true);
    expect(channels.some((c) => channelAllowed(c, 'other'))).toBe(false);
  });

  it('the drop window starts and follows uploads, and touches nothing of the wallet', () => {
    const allowed = channels.filter((c) => channelAllowed(c, 'drop'));
    expect(allowed).toContain('upload.start');
    expect(allowed).toContain('upload.get');
    // Every channel it names exists in the contract (a renamed method would silently drop out).
    expect(allowed).toHaveLength(DROP_WINDOW_CHANNELS.length);
    for (const forbidden of [
      'approval.respond',
      'wallet.lock',
      'wallet.deposit',
      'upload.topUp',
      'network.setSettings',
    ])
      expect(channelAllowed(forbidden, 'drop')).toBe(false);
    expect(eventAllowed('upload.progress', 'drop')).toBe(true);
    expect(eventAllowed('approval.requested', 'drop')).toBe(false);
  });

  it('the approval window hears approval events only', () => {
    expect(eventAllowed('approval.requested', 'approval')).toBe(true);
    expect(eventAllowed('wallet.status', 'approval')).toBe(false);
    expect(eventAllowed('wallet.status', 'main')).toBe(true);
    expect(eventAllowed('approval.requested', 'other')).toBe(false);
  });
});

describe('OS keychain policy', () => {
  it('refuses a plain-text or unknown Linux backend and an unavailable keychain', () => {
    expect(keychainAvailability('linux', true, 'basic_text')).toMatchObject({
      available: false,
      reason: expect.stringMatching(/plain text \(basic_text\)/),
    });
    expect(keychainAvailability('linux', true, 'unknown').available).toBe(false);
    expect(keychainAvailability('linux', false, 'gnome_libsecret').available).toBe(false);
    expect(keychainAvailability('darwin', false, null).available).toBe(false);
  });

  it('accepts a real keyring', () => {
    expect(keychainAvailability('linux', true, 'gnome_libsecret')).toEqual({
      available: true,
      backend: 'gnome_libsecret',
    });
    expect(keychainAvailability('linux', true, 'kwallet6').available).toBe(true);
    expect(keychainAvailability('darwin', true, null).available).toBe(true);
    expect(keychainAvailability('win32', true, null).available).toBe(true);
  });
});
