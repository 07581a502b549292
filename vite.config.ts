import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The renderer: built to out/renderer, served by app:// in Electron and by the browser host.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
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
