/** Human-readable numbers for the UI: bytes, rates, durations, counts, token amounts, times, short hashes. */
import { formatBytes } from '../shared/format-bytes';

/** Bytes in the units the core and the CLI use too (binary: KiB, MiB), so the approval and the screens agree. */
export { formatBytes };

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 1) return '<1 s';
  // Round once, up front: rounding each part on its own writes "29 min 60 s".
  const total = Math.round(seconds);
  if (total < 60) return `${total} s`;
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return total % 60 ? `${minutes} min ${total % 60} s` : `${minutes} min`;
  return minutes % 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes / 60} h`;
}

/** A decimal token amount from its integer base units (as a decimal string), trimmed. */
export function formatUnits(baseUnits: string, decimals: number, maxFraction = 4): string {
  const negative = baseUnits.startsWith('-');
  const digits = (negative ? baseUnits.slice(1) : baseUnits).padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits
    .slice(digits.length - decimals, digits.length - decimals + maxFraction)
    .replace(/0+$/, '');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${fraction ? `.${fraction}` : ''}`;
}

/**
 * Text written by the core with long decimals in it ("0.002794347701610192 tUSD"): each decimal
 * cut to `maxFraction` places for reading, with "≈" where that dropped digits.
 */
export function shortDecimal(text: string, maxFraction = 6): string {
  return text.replace(
    new RegExp(`\\b(\\d+)\\.(\\d{${maxFraction + 1},})\\b`, 'g'),
    (_, whole: string, digits: string) => {
      const fraction = digits.slice(0, maxFraction).replace(/0+$/, '');
      return `≈ ${whole}${fraction ? `.${fraction}` : ''}`;
    },
  );
}

/** A whole number with its thousands grouped the same way in every locale ("12,345"). */
export function formatCount(value: number | string): string {
  return formatUnits(typeof value === 'number' ? String(Math.round(value)) : value, 0);
}

/** How long ago `at` was, from `now` (both ms since the epoch), in the words of a status line. */
export function formatAgo(at: number, now: number): string {
  const seconds = Math.max(0, (now - at) / 1000);
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  return days === 1 ? 'yesterday' : `${days} days ago`;
}

export function shortHash(hash: string, keep = 6): string {
  return hash.length <= keep * 2 + 3 ? hash : `${hash.slice(0, keep + 2)}…${hash.slice(-keep)}`;
}
