/**
 * For tests: looks for secrets in text in every form they could leak as — a recovery phrase (any
 * four consecutive words of it), and key bytes as hex (with or without 0x, any case), base64 and
 * base64url, whole or any 16-byte window of them.
 */
export interface KnownSecrets {
  mnemonic?: string;
  /** Labelled key material: private keys, seeds, ML-KEM secret keys, data keys. */
  bytes?: Record<string, Uint8Array>;
  /** Plain strings that must not appear (a password). */
  strings?: Record<string, string>;
}

export interface Needle {
  label: string;
  text: string;
}

const WINDOW = 16;

export function needlesFor(secrets: KnownSecrets): Needle[] {
  const needles: Needle[] = [];
  if (secrets.mnemonic) {
    const words = secrets.mnemonic.split(/\s+/);
    for (let i = 0; i + 4 <= words.length; i++)
      needles.push({
        label: `recovery phrase words ${i + 1}-${i + 4}`,
        text: words.slice(i, i + 4).join(' '),
      });
  }
  for (const [label, bytes] of Object.entries(secrets.bytes ?? {})) {
    for (let start = 0; start + WINDOW <= bytes.length; start += WINDOW) {
      const chunk = Buffer.from(bytes.subarray(start, start + WINDOW));
      needles.push({ label: `${label} (hex)`, text: chunk.toString('hex') });
    }
    // Base64 of the whole and of windows aligned to 3 bytes, so the encoding lines up.
    const whole = Buffer.from(bytes);
    needles.push({ label: `${label} (base64)`, text: whole.toString('base64').slice(0, 40) });
    needles.push({ label: `${label} (base64url)`, text: whole.toString('base64url').slice(0, 40) });
    for (let start = 0; start + 18 <= bytes.length; start += 18) {
      const chunk = whole.subarray(start, start + 18);
      needles.push({ label: `${label} (base64)`, text: chunk.toString('base64') });
      needles.push({ label: `${label} (base64url)`, text: chunk.toString('base64url') });
    }
  }
  for (const [label, text] of Object.entries(secrets.strings ?? {})) needles.push({ label, text });
  return needles;
}

/** The labels of every needle found in `haystack` (hex compared case-insensitively). */
export function findSecrets(haystack: string, needles: Needle[]): string[] {
  const lower = haystack.toLowerCase();
  const found = new Set<string>();
  for (const { label, text } of needles) {
    const hit = /^[0-9a-f]+$/.test(text) ? lower.includes(text) : haystack.includes(text);
    if (hit) found.add(label);
  }
  return [...found];
}
