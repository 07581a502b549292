// `node --import ./scripts/forbid-electron.mjs`: registers the hooks above before anything loads.
import { register } from 'node:module';
register('./forbid-electron-hooks.mjs', import.meta.url);
