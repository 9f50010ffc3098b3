import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { threatFoxAnswer, threatFoxIoc } from './fixtures.ts';
import { startVendorServer, type VendorServer } from './vendor-server.ts';

const run = promisify(execFile);
const workDir = mkdtempSync(join(tmpdir(), 'relay-pull-cli-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

let vendor: VendorServer;
beforeEach(async () => {
  vendor = await startVendorServer();
});
afterEach(async () => {
  await vendor.close();
});

/** Formats a ThreatFox `first_seen` some minutes before the real clock, which the CLI runs on. */
function minutesAgo(minutes: number): string {
  return new Date(Date.now() - minutes * 60_000)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}

function writeConfig(name: string): string {
  const path = join(workDir, `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      pulls: {
        jobs: [
          {
            id: 'threatfox-recent',
            source: 'threatfox',
            secretName: 'pull/threatfox',
            api: { baseUrl: vendor.url },
          },
        ],
      },
      local: { secrets: { 'pull/threatfox': { apiKey: 'cli-test-key' } } },
    }),
  );
  return path;
}

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/secops-relay.js', ...args]);
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

describe('secops-relay pull', () => {
  it('runs a job once and resumes from its state file', async () => {
    const config = writeConfig('resume');
    const state = join(workDir, 'state', 'pull-state.json');
    const iocs = [threatFoxIoc(1, minutesAgo(50)), threatFoxIoc(2, minutesAgo(40))];
    vendor.answer(() => ({ json: threatFoxAnswer(iocs) }));

    const first = await cli(
      'pull',
      'threatfox-recent',
      '--once',
      '--config',
      config,
      '--state',
      state,
      '--records',
    );
    iocs.push(threatFoxIoc(3, minutesAgo(5)));
    const second = await cli(
      'pull',
      'threatfox-recent',
      '--once',
      '--config',
      config,
      '--state',
      state,
    );

    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split('\n');
    const records = lines.filter((line) => line.startsWith('{"version":1'));
    expect(records.length).toBeGreaterThanOrEqual(2);
    expect(records.every((line) => JSON.parse(line).source === 'threatfox')).toBe(true);
    expect(first.stdout).toContain('"queued": 2');
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ outcome: 'completed', queued: 1 });
    const saved = JSON.parse(readFileSync(state, 'utf8'));
    expect(saved.checkpoints[0]).toMatchObject({ jobId: 'threatfox-recent', version: 2 });
    expect(vendor.requests.every((request) => request.headers['auth-key'] === 'cli-test-key')).toBe(
      true,
    );
  });

  it('reports a failed run with its code', async () => {
    const config = writeConfig('failure');
    vendor.answer(() => ({ status: 401, json: { query_status: 'unknown_auth_key' } }));

    const result = await cli('pull', 'threatfox-recent', '--once', '--config', config);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('pull threatfox-recent failed (vendor_rejected)');
    expect(result.stderr).not.toContain('cli-test-key');
  });

  it('redacts the key a vendor status echoes', async () => {
    const config = writeConfig('echo');
    vendor.answer((request) => ({
      json: { query_status: `unknown_auth_key ${String(request.headers['auth-key'])}` },
    }));

    const result = await cli('pull', 'threatfox-recent', '--once', '--config', config);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('query_status "unknown_auth_key [redacted]"');
    expect(`${result.stdout}${result.stderr}`).not.toContain('cli-test-key');
  });

  it.each([
    [['pull', 'threatfox-recent'], /only with --once/],
    [['pull', '--once'], /needs a <job>/],
    [['pull', 'nope', '--once'], /No pull job "nope"/],
  ])('rejects %j', async (args, message) => {
    const result = await cli(...args, '--config', writeConfig('usage'));

    expect(result.code).toBeGreaterThan(0);
    expect(result.stderr).toMatch(message);
  });
});
