import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../../cli/send.ts';
import { loadConfigFile } from '../../functions/config/load.ts';

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

describe('npm start stopped while records retry', () => {
  let directory: string;
  let configFile: string;

  beforeAll(() => {
    // One failure opens the circuit for 5 s, so a forward invocation keeps its batch and
    // waits for the next probe, as it does while the instance is down.
    const shipped = JSON.parse(readFileSync('relay.config.json', 'utf8')) as Record<string, object>;
    directory = mkdtempSync(join(tmpdir(), 'secops-relay-start-'));
    configFile = join(directory, 'relay.config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        ...shipped,
        deployment: { forward: { timeoutSeconds: 20 } },
        delivery: {
          circuitBreaker: { failureThreshold: 1, coolDownMs: 5_000, maxCoolDownMs: 5_000 },
        },
      }),
    );
  });

  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('logs on the first Ctrl+C and stops on the second', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
      env: { ...process.env, SECOPS_RELAY_CONFIG_FILE: configFile, PORT: '0', SANDBOX_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const lines: string[] = [];
    const waiters: (() => void)[] = [];
    // Powertools writes INFO lines to stdout and WARN and ERROR lines to stderr.
    for (const input of [child.stdout, child.stderr]) {
      createInterface({ input }).on('line', (line) => {
        lines.push(line);
        for (const wake of waiters.splice(0)) wake();
      });
    }
    /** Waits at most `ms` for an output line that contains `text`. */
    const lineWith = async (text: string, ms: number): Promise<string> => {
      const until = Date.now() + ms;
      for (;;) {
        const found = lines.find((line) => line.includes(text));
        if (found !== undefined) return found;
        if (Date.now() > until) throw new Error(`no line with "${text}" within ${ms} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    };

    try {
      const relayUrl = /listening on (\S+)/.exec(
        await lineWith('SecOps Relay (local) listening on', 10_000),
      )![1]!;
      const sandboxUrl = /listening on (\S+)/.exec(
        await lineWith('Sandbox instance listening on', 1_000),
      )![1]!;
      await fetch(`${sandboxUrl}/sandbox/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ mode: 'server_error', status: 503 }),
      });
      const accepted = await send({
        config: loadConfigFile(configFile),
        source: 'generic',
        file: 'events/generic/batch-mixed.json',
        url: relayUrl,
      });
      expect(accepted.status).toBe(202);
      await lineWith('Instance circuit opened', 5_000);
      await lineWith('Instance circuit is open; the queue will retry the record', 5_000);

      child.kill('SIGINT');
      const stopping = JSON.parse(
        await lineWith('SIGINT: stopping the local stack', 2_000),
      ) as Record<string, unknown>;
      expect(stopping.invocations).toBe(1);
      expect(stopping.maxWaitSeconds).toBeGreaterThan(5);
      expect(stopping.maxWaitSeconds).toBeLessThanOrEqual(21);
      expect(stopping.message).toContain('Press Ctrl+C again to stop at once');

      const secondAt = Date.now();
      child.kill('SIGINT');
      const [code] = await exited;
      expect(Date.now() - secondAt).toBeLessThan(2_000);
      expect(code).toBe(130);
      const lost = JSON.parse(await lineWith('they are lost', 2_000)) as Record<string, unknown>;
      expect(lost.queuedRecords).toBe(6);
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);
});
