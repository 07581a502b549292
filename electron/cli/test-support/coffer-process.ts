/**
 * Runs the built `coffer` CLI (out/cli/coffer.js) as a real process, for the CLI tests: answers
 * prompts, sends signals, collects the output.
 */
import { spawn } from 'node:child_process';
import { builtPath } from '../../core/app-paths';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `coffer` CLI. `respond` sees stderr (where prompts go) as it grows and may answer
 * with a line for stdin.
 */
export function coffer(
  args: string[],
  options: {
    env?: Record<string, string>;
    respond?: (stderr: string, stdout: string) => string | null;
    /** Sees the output as it grows and may name a signal to send (once), e.g. SIGINT. */
    signal?: (stderr: string, stdout: string) => NodeJS.Signals | null;
  } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtPath('cli', 'coffer.js'), ...args], {
      env: { ...process.env, COFFER_PASSWORD: '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    const answer = () => {
      const line = options.respond?.(stderr, stdout);
      if (line !== null && line !== undefined) child.stdin.write(`${line}\n`);
      const signal = signalled ? null : options.signal?.(stderr, stdout);
      if (signal) {
        signalled = true;
        child.kill(signal);
      }
    };
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      answer();
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      answer();
    });
    if (!options.respond) child.stdin.end();
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
