import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { basicAuth } from './helpers.ts';

describe('sandbox/main.ts', () => {
  it('serves on SANDBOX_PORT and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'sandbox/main.ts'], {
      env: {
        ...process.env,
        SANDBOX_PORT: '0',
        SECOPS_RELAY_CONFIG_FILE: 'relay.config.json',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit');

    try {
      let url: string | undefined;
      for await (const line of createInterface({ input: child.stdout })) {
        const entry = JSON.parse(line) as { message?: string; url?: string };
        if (entry.message === 'Sandbox started') {
          url = entry.url;
          break;
        }
      }
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      const result = await fetch(`${url}/api/now/table/sn_ti_lookup_result`, {
        headers: { authorization: basicAuth() },
      });
      expect(result.status).toBe(200);
      expect(await result.json()).toEqual({ result: [] });
    } finally {
      child.kill('SIGTERM');
    }

    const [code] = await exited;
    expect(code).toBe(0);
  });

  it('exits with 2 for an invalid SANDBOX_PORT', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'sandbox/main.ts'], {
      env: { ...process.env, SANDBOX_PORT: 'http' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    const [code] = await once(child, 'exit');

    expect(code).toBe(2);
    expect(stderr).toContain('SANDBOX_PORT');
  });
});
