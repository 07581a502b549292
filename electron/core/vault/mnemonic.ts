/**
 * BIP-39 mnemonics (English word list): creating one, reading one a person typed (with an error
 * that says which word is wrong), and choosing which words to ask back when a new one is confirmed.
 */
import { randomInt } from 'node:crypto';
import {
  entropyToMnemonic,
  generateMnemonic as generate,
  mnemonicToEntropy,
  validateMnemonic,
} from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { CofferError } from '../../../shared/api/errors';

const WORD_COUNTS = [12, 15, 18, 21, 24];

/** A new 24-word (256-bit) mnemonic. */
export function generateMnemonic(): string {
  return generate(wordlist, 256);
}

/** Lower case, single spaces, NFKD (what BIP-39 hashes). */
export function normalizeMnemonic(input: string): string {
  return input.normalize('NFKD').trim().toLowerCase().split(/\s+/).join(' ');
}

/** The entropy of a typed mnemonic, or INVALID_INPUT naming what is wrong with it. */
export function entropyOfMnemonic(input: string): Uint8Array {
  const mnemonic = normalizeMnemonic(input);
  const words = mnemonic ? mnemonic.split(' ') : [];
  if (!WORD_COUNTS.includes(words.length))
    throw new CofferError(
      'INVALID_INPUT',
      `A recovery phrase has 12, 15, 18, 21 or 24 words; this one has ${words.length}`,
    );
  const unknown = words.findIndex((word) => !wordlist.includes(word));
  if (unknown >= 0)
    throw new CofferError(
      'INVALID_INPUT',
      `Word ${unknown + 1} ("${words[unknown]}") is not in the BIP-39 English word list`,
    );
  if (!validateMnemonic(mnemonic, wordlist))
    throw new CofferError(
      'INVALID_INPUT',
      'The recovery phrase checksum does not match: a word is wrong or out of order',
    );
  return mnemonicToEntropy(mnemonic, wordlist);
}

export function mnemonicOfEntropy(entropy: Uint8Array): string {
  return entropyToMnemonic(entropy, wordlist);
}

/** `count` distinct word positions (0-based, ascending) to ask back. */
export function pickConfirmationPositions(wordCount: number, count = 3): number[] {
  const picked = new Set<number>();
  while (picked.size < Math.min(count, wordCount)) picked.add(randomInt(wordCount));
  return [...picked].sort((a, b) => a - b);
}
