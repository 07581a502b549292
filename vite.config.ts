import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { metaContentSecurityPolicy } from './electron/security/csp';

/** Bakes the CSP into every built page as a <meta> tag (the servers also send it as a header). */
const cspMetaTag = (): Plugin => ({
  name: 'coffer-csp-meta',
  transformIndexHtml: () => [
    {
      tag: 'meta',
      attrs: { 'http-equiv': 'Content-Security-Policy', content: metaContentSecurityPolicy() },
      injectTo: 'head-prepend',
    },
  ],
});

// The renderer: built to out/renderer, served by app:// in Electron and by the browser host.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react(), cspMetaTag()],
  build: {
    outDir: '../out/renderer',
    emptyOutDir: true,
    target: 'es2022',
    // No inline scripts or styles: the CSP allows only 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      // The main window, and the Electron approval window (its own page and preload).
      input: {
        index: fileURLToPath(new URL('renderer/index.html', import.meta.url)),
        approval: fileURLToPath(new URL('renderer/approval.html', import.meta.url)),
      },
      // zod's sources carry @__PURE__ comments Rollup can't place; harmless, and not ours to fix.
      onwarn(warning, warn) {
        if (warning.code === 'INVALID_ANNOTATION') return;
        warn(warning);
      },
    },
  },
});
