/**
 * The Content-Security-Policy the renderer is served with, in Electron (app://) and in browser
 * mode (http://127.0.0.1). Everything is local: no remote scripts, styles, frames or forms.
 */
export function contentSecurityPolicy(
  options: { connectSources?: readonly string[]; forMetaTag?: boolean } = {},
): string {
  const connect = ["'self'", ...(options.connectSources ?? [])].join(' ');
  const directives = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ];
  // A <meta> policy may not set frame-ancestors (browsers ignore it and warn); headers carry it.
  return directives.filter((d) => !(options.forMetaTag && d.startsWith('frame-ancestors'))).join('; ');
}

/**
 * The same policy as a <meta> tag baked into the built HTML: a second layer under the header,
 * for any way the page might be loaded without it. Any loopback port, since the browser host's
 * port is chosen at run time.
 */
export function metaContentSecurityPolicy(): string {
  return contentSecurityPolicy({ connectSources: ['ws://127.0.0.1:*'], forMetaTag: true });
}

/** Headers sent with every renderer asset. */
export function securityHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}
