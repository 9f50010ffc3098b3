import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Runs `npm start`'s script with the given environment and returns how it ended. */
async function runStart(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    env: { ...process.env, SECOPS_RELAY_CONFIG_FILE: 'relay.config.json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('npm start with a port in use', () => {
  let holder: Server;
  let takenPort: number;

  beforeAll(async () => {
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    takenPort = (holder.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => holder?.close(resolve));
  });

  it('names PORT for the relay', async () => {
    const result = await runStart({ PORT: String(takenPort), SANDBOX_PORT: '0' });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `The relay cannot listen on 127.0.0.1:${takenPort}: the port is already in use.`,
    );
    expect(result.stderr).toContain('set PORT to a free port');
    expect(result.stderr).toContain('--url');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('names SANDBOX_PORT for the sandbox', async () => {
    const result = await runStart({ PORT: '0', SANDBOX_PORT: String(takenPort) });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `The sandbox instance cannot listen on 127.0.0.1:${takenPort}: the port is already in use.`,
    );
    expect(result.stderr).toContain('set SANDBOX_PORT to a free port');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
