/**
 * For tests: finds running processes by a string in their command line (Linux /proc), to prove
 * that a stopped devnet left no anvil behind. Elsewhere it returns null and tests say so.
 */
import { readdir, readFile } from 'node:fs/promises';

export async function processesMentioning(text: string): Promise<number[] | null> {
  if (process.platform !== 'linux') return null;
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const commandLine = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (commandLine.includes(text)) found.push(Number(entry));
  }
  return found;
}
