/**
 * The devnet's deterministic accounts: anvil derives them from the well-known test mnemonic, and
 * every part of the devnet agrees on who is who by index. These keys are public knowledge and
 * fund nothing outside the devnet.
 */
import { bytesToHex, type Hex } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import type { Address } from '../../shared/network-manifest';

export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';
export const DEV_ACCOUNT_COUNT = 20;
/** Ether anvil gives each dev account at genesis. */
export const DEV_ETHER_BALANCE = 10_000n * 10n ** 18n;

/** Which account does what: deployer owns the contracts, faucet funds users' new wallets. */
export const DEV_ROLES = {
  deployer: 0,
  faucet: 1,
  /** Storage-provider nodes take accounts 2..9, in order. */
  firstProvider: 2,
  providerSlots: 8,
  /** Test clients / payers take accounts 10..19. */
  firstUser: 10,
  userSlots: 10,
} as const;

export interface DevAccount {
  index: number;
  address: Address;
  privateKey: Hex;
}

export function devAccount(index: number): DevAccount {
  if (!Number.isInteger(index) || index < 0 || index >= DEV_ACCOUNT_COUNT)
    throw new Error(`Dev account index ${index} is out of range 0..${DEV_ACCOUNT_COUNT - 1}.`);
  const account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index });
  const privateKey = account.getHdKey().privateKey;
  if (!privateKey) throw new Error(`Cannot derive the private key of dev account ${index}.`);
  return { index, address: account.address, privateKey: bytesToHex(privateKey) };
}

export const devProviderAccount = (slot: number): DevAccount => {
  if (slot < 0 || slot >= DEV_ROLES.providerSlots)
    throw new Error(`Provider slot ${slot} is out of range 0..${DEV_ROLES.providerSlots - 1}.`);
  return devAccount(DEV_ROLES.firstProvider + slot);
};

export const devUserAccount = (slot: number): DevAccount => {
  if (slot < 0 || slot >= DEV_ROLES.userSlots)
    throw new Error(`User slot ${slot} is out of range 0..${DEV_ROLES.userSlots - 1}.`);
  return devAccount(DEV_ROLES.firstUser + slot);
};
