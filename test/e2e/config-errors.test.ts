import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const workDir = mkdtempSync(join(tmpdir(), 'relay-config-errors-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function writeConfig(name: string, input: unknown): string {
  const path = join(workDir, `${name}.json`);
  writeFileSync(path, JSON.stringify(input));
  return path;
}

/** Runs a command to its end and returns its exit code and standard error. */
async function failureOf(command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  // The timeout ends a relay that starts despite the invalid configuration.
  const result = await run(command, args, {
    env: { ...process.env, ...env },
    timeout: 15_000,
  }).then(
    () => ({ code: 0, stderr: '' }),
    (error: { code: number | null; stderr: string }) => error,
  );
  return { code: result.code, stderr: result.stderr };
}

describe('configuration errors of the local tools', () => {
  it('npm start names the file of an unknown source id', async () => {
    const configPath = writeConfig('unknown-source', {
      sources: { virustotl: { secretName: 'secops-relay/source/virustotal' } },
    });

    const { code, stderr } = await failureOf(
      process.execPath,
      ['--import', 'tsx', 'local/start.ts'],
      { SECOPS_RELAY_CONFIG_FILE: configPath, PORT: '0', SANDBOX_PORT: '0' },
    );

    expect(code).toBe(1);
    expect(stderr).toContain(
      `Cannot start the local relay: Invalid configuration file ${configPath}:\n` +
        '  sources.virustotl: no source has this id; did you mean "virustotal"?',
    );
  });

  it('the CLI names the file and the fix of a misspelled key', async () => {
    const configPath = writeConfig('misspelled', {
      sources: {
        generic: {
          secretName: 'secops-relay/source/generic',
          auth: { type: 'hmac', timestampHeder: 'x-timestamp' },
        },
      },
    });

    const { code, stderr } = await failureOf(process.execPath, [
      'bin/secops-relay.js',
      'send',
      '--source',
      'generic',
      '--config',
      configPath,
      'relay.config.json',
    ]);

    expect(code).toBe(2);
    expect(stderr).toBe(
      `secops-relay: Invalid configuration file ${configPath}:\n` +
        '  sources.generic.auth.timestampHeder: unknown key; did you mean "timestampHeader"?\n',
    );
  });
});
