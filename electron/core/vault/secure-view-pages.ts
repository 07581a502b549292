/**
 * The HTML of the main-process-controlled views (secure-views.ts): static pages with plain forms,
 * no scripts, one inline stylesheet allowed by its hash. Every dynamic string is escaped here.
 */
import { createHash } from 'node:crypto';

const STYLE = `
:root { color-scheme: light dark; font: 15px/1.5 system-ui, sans-serif; }
body { margin: 0; padding: 32px; background: Canvas; color: CanvasText; }
main { max-width: 560px; margin: 0 auto; }
h1 { font-size: 1.35rem; margin: 0 0 0.75rem; }
p { margin: 0.5rem 0; }
.muted { opacity: 0.75; }
.warn { border-left: 4px solid #c88a00; padding: 0.5rem 0.75rem; background: color-mix(in srgb, #c88a00 12%, Canvas); }
.error { border-left: 4px solid #c0392b; padding: 0.5rem 0.75rem; background: color-mix(in srgb, #c0392b 12%, Canvas); }
.ok { border-left: 4px solid #2e8b57; padding: 0.5rem 0.75rem; background: color-mix(in srgb, #2e8b57 12%, Canvas); }
form { display: grid; gap: 0.75rem; margin-top: 1rem; }
label { display: grid; gap: 0.25rem; font-weight: 600; }
input, textarea { font: inherit; padding: 0.45rem 0.55rem; border: 1px solid GrayText; border-radius: 6px; background: Field; color: FieldText; }
textarea { min-height: 7rem; font-family: ui-monospace, monospace; }
.actions { display: flex; gap: 0.5rem; }
button { font: inherit; padding: 0.5rem 1rem; border-radius: 6px; border: 1px solid GrayText; background: ButtonFace; color: ButtonText; cursor: pointer; }
button.primary { background: #2f6fde; border-color: #2f6fde; color: white; }
ol.words { display: grid; grid-template-columns: repeat(3, 1fr); gap: 0.35rem 1.5rem; padding-left: 2.2rem; font-family: ui-monospace, monospace; font-size: 1.05rem; }
code { font-family: ui-monospace, monospace; word-break: break-all; }
`;

export const STYLE_HASH = `sha256-${createHash('sha256').update(STYLE).digest('base64')}`;

/** The headers every view is served with: no scripts, forms only to itself, never framed or cached. */
export function secureViewHeaders(): Record<string, string> {
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': [
      "default-src 'none'",
      "script-src 'none'",
      `style-src '${STYLE_HASH}'`,
      "img-src 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      // An opaque origin: a window the app's page opened on a view cannot read it through its handle.
      'sandbox allow-forms',
    ].join('; '),
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)} · Coffer</title><style>${STYLE}</style></head>
<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

export function notice(kind: 'warn' | 'error' | 'ok', text: string): string {
  return `<p class="${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${escapeHtml(text)}</p>`;
}

/** A form posting to this view, carrying the step's one-time token, with a Cancel button. */
export function form(
  token: string,
  fields: string,
  submit: string,
  options: { multipart?: boolean } = {},
): string {
  const enctype = options.multipart ? ' enctype="multipart/form-data"' : '';
  return `<form method="post" action="" autocomplete="off"${enctype}>
<input type="hidden" name="token" value="${escapeHtml(token)}">
${fields}
<div class="actions"><button class="primary" type="submit" name="action" value="submit">${escapeHtml(submit)}</button>
<button type="submit" name="action" value="cancel" formnovalidate>Cancel</button></div></form>`;
}

export function passwordField(
  name: string,
  label: string,
  autocomplete: 'new-password' | 'current-password',
): string {
  return `<label>${escapeHtml(label)}<input type="password" name="${name}" required autocomplete="${autocomplete}" spellcheck="false"></label>`;
}

export function textField(name: string, label: string, value = '', attributes = ''): string {
  return `<label>${escapeHtml(label)}<input type="text" name="${name}" value="${escapeHtml(value)}" autocomplete="off" autocapitalize="off" spellcheck="false" ${attributes}></label>`;
}

export function wordList(words: string[]): string {
  return `<ol class="words">${words.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ol>`;
}
