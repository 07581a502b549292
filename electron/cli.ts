#!/usr/bin/env node
/**
 * `coffer`: the command line over the same core as the app, run in this process. Each feature's
 * commands live in electron/cli/<feature>-commands.ts and are listed here.
 */
import { group, runCommandLine } from './cli/command';
import { uploadCommands } from './cli/upload-commands';
import { syncCommands } from './cli/sync-commands';
import { walletCommands } from './cli/wallet-commands';
import { tuneHeapForStreaming } from './core/heap-tuning';

tuneHeapForStreaming();

const root = group('coffer', 'Coffer from the command line: the wallet, uploads and wallet sync.', [
  walletCommands,
  ...uploadCommands,
  ...syncCommands,
]);

const code = await runCommandLine(root, process.argv.slice(2), {
  out: (line = '') => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
// A command may end without an error yet with a code of its own (an upload with fewer copies).
if (code !== 0 || process.exitCode === undefined) process.exitCode = code;
