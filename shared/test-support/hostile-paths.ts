/**
 * For tests: URL paths built to escape a served folder — plain, percent-encoded, double-encoded
 * and overlong-UTF-8 dot-dots, encoded separators, backslashes, NUL and absolute paths — mixed
 * with names that do exist, so a property over them also reaches real files.
 */
import fc from 'fast-check';

const ESCAPES = [
  '..',
  '%2e%2e',
  '%2E%2e',
  '.%2e',
  '%2e.',
  '%252e%252e',
  '..%2f',
  '..%2F',
  '%2f',
  '%5c',
  '..\\',
  '%00',
  '%c0%ae%c0%ae',
  '.',
  '',
  '/etc/passwd',
  '%2fetc%2fpasswd',
  'C:%5cWindows',
];

/** `/a/b/…` from 1–6 segments, each an escape or one of `names`. */
export function hostilePath(names: readonly string[]): fc.Arbitrary<string> {
  return fc
    .array(fc.constantFrom(...ESCAPES, ...names), { minLength: 1, maxLength: 6 })
    .map((parts) => `/${parts.join('/')}`);
}
