import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { NoteServerInfo } from '../../shared/notes/wire';

const bundle = 'out/devnet/note-server.js';

describe('note-server command', () => {
  it('starts with its flags, prints its URL, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [bundle, '--no-range', '--fail-at', '3'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
      const { url } = JSON.parse(line) as { url: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const info = NoteServerInfo.parse(await (await fetch(`${url}/v1/info`)).json());
      expect(info.capabilities.range).toBe(false);
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      expect((await exited)[0]).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses a bad flag value with a message naming it', () => {
    const result = spawnSync(process.execPath, [bundle, '--truncate', 'sideways'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--truncate: expected body or connection, got 'sideways'/);
    const indices = spawnSync(process.execPath, [bundle, '--fail-at', '3,x'], { encoding: 'utf8' });
    expect(indices.stderr).toMatch(/--fail-at: expected comma-separated indices/);
  });
});
