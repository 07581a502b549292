/**
 * `npm start`: bring up the network, then open Coffer in Electron — or, where the Electron
 * runtime is missing, serve the same UI and API in browser mode and print the URL to open.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { builtPath, defaultDataDir } from './core/app-paths';
import { createCore } from './core/core-app';
import { findElectronRuntime } from './electron-runtime';
import { startBrowserHost } from './host/browser-host';
import { downloadFileRoute, stagingRoute } from './host/file-routes';
import { secureViewRoute } from './host/secure-view-route';
import { startEmbeddedNetwork } from './embedded-network';
import { tuneHeapForStreaming } from './core/heap-tuning';

const HELP = `Usage: npm start -- [options]

Starts the embedded devnet (unless --network is given) and opens Coffer.

Options:
  --browser            Use browser mode even where the Electron runtime is installed
  --network <file>     Use the network described by this manifest instead of the devnet
  --port <n>           Browser mode: serve on this port (default: a free port)
  --data-dir <dir>     Where Coffer keeps its data (default: ${defaultDataDir()})
  -h, --help           Show this help`;

async function main(): Promise<void> {
  tuneHeapForStreaming();
  const { values } = parseArgs({
    options: {
      browser: { type: 'boolean', default: false },
      network: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const dataDir = path.resolve(values['data-dir'] ?? defaultDataDir());
  await mkdir(dataDir, { recursive: true });
  // Ctrl+C while starting: exit, so the exit handlers stop what was already spawned (anvil). The
  // default action would kill this process without them and leave anvil running.
  const exitWhileStarting = () => process.exit(130);
  process.on('SIGINT', exitWhileStarting);
  process.on('SIGTERM', exitWhileStarting);
  const started = () => {
    process.off('SIGINT', exitWhileStarting);
    process.off('SIGTERM', exitWhileStarting);
  };
  const network = await startEmbeddedNetwork({ dataDir, manifestFile: values.network });
  const manifestFile = path.join(dataDir, 'network.json');
  if (network.manifest) await writeFile(manifestFile, JSON.stringify(network.manifest, null, 2));

  const runtime = findElectronRuntime();
  if (runtime.available && !values.browser) {
    const child = spawn(runtime.binary, [builtPath('main', 'main.js')], {
      stdio: 'inherit',
      env: {
        ...process.env,
        COFFER_HOME: dataDir,
        ...(network.manifest ? { COFFER_NETWORK_MANIFEST: manifestFile } : {}),
      },
    });
    const stopAll = () => child.kill('SIGTERM');
    started();
    process.on('SIGINT', stopAll);
    process.on('SIGTERM', stopAll);
    child.on('exit', (code) => void network.stop().then(() => process.exit(code ?? 0)));
    return;
  }

  if (!values.browser)
    console.log(
      `Electron runtime not available: ${(runtime as { reason: string }).reason}; opening Coffer in browser mode instead.`,
    );
  const core = await createCore({ dataDir, mode: 'browser', network: network.manifest });
  const host = await startBrowserHost({
    dispatch: core.dispatch,
    subscribeEvents: (listener) => core.events.subscribeAll(listener),
    staticDir: builtPath('renderer'),
    port: values.port ? Number(values.port) : 0,
    routes: [
      secureViewRoute(core.wallet.secureViews),
      stagingRoute(core.staging),
      downloadFileRoute(core.downloads),
    ],
  });
  core.wallet.secureViews.setBaseUrl(host.origin);
  console.log(
    `Coffer is running in browser mode. Open this URL (it carries this run's access token):\n\n  ${host.launchUrl}\n`,
  );
  console.log('Press Ctrl+C to stop.');
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await host.close();
    await core.close();
    await network.stop();
    process.exit(0);
  };
  started();
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

main().catch((error: unknown) => {
  console.error(`Coffer could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
