/**
 * For tests: finds running processes whose command line contains every given string (Linux
 * /proc), to prove that a stopped devnet left no anvil behind. Elsewhere it returns null and tests
 * say so.
 */
import { readdir, readFile } from 'node:fs/promises';

export async function processesMentioning(...texts: string[]): Promise<number[] | null> {
  if (process.platform !== 'linux') return null;
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const commandLine = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (texts.every((text) => commandLine.includes(text))) found.push(Number(entry));
  }
  return found;
}
