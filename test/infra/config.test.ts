import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  encodeConfigForEnv,
  loadConfigFile,
  parseConfig,
} from '../../functions/config/load.ts';
import type { RelayConfigInput } from '../../functions/config/schema.ts';
import { pullFunctionConfig, withoutPulls } from '../../infra/pull-jobs.ts';
import { addRelayStack } from '../../infra/relay-app.ts';
import { toDeployableConfig } from '../../infra/relay-config.ts';
import { SKIP_BUNDLING, synthRelayStack } from './synth.ts';

const workDir = mkdtempSync(join(tmpdir(), 'relay-config-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function writeConfig(name: string, input: unknown): string {
  const path = join(workDir, `${name}.json`);
  writeFileSync(path, JSON.stringify(input));
  return path;
}

function appFor(configPath: string): App {
  return new App({ context: { ...SKIP_BUNDLING, config: configPath } });
}

describe('deployment configuration', () => {
  it.each<[string, RelayConfigInput | unknown, RegExp]>([
    [
      'maxConcurrency below SQS minimum',
      { deployment: { forward: { maxConcurrency: 1 } } },
      /deployment\.forward\.maxConcurrency:/,
    ],
    [
      'unknown log retention',
      { deployment: { logRetentionDays: 10 } },
      /deployment\.logRetentionDays: must be one of/,
    ],
    [
      'ingest timeout above API limit',
      { deployment: { ingest: { timeoutSeconds: 30 } } },
      /deployment\.ingest\.timeoutSeconds:/,
    ],
    [
      'batch without window',
      { deployment: { forward: { batchSize: 50, maxBatchingWindowSeconds: 0 } } },
      /deployment\.forward\.maxBatchingWindowSeconds:/,
    ],
    [
      'invalid alarm email',
      { deployment: { alarms: { email: 'oncall' } } },
      /deployment\.alarms\.email:/,
    ],
    ['source without secret', { sources: { virustotal: {} } }, /sources\.virustotal\.secretName:/],
    [
      'partner bus for unknown source',
      {
        deployment: {
          partnerEventBus: {
            name: 'aws.partner/x/1/y',
            sourceId: 'nobody',
            eventPattern: { source: ['aws.partner/x'] },
          },
        },
      },
      /deployment\.partnerEventBus\.sourceId: "nobody" is not an enabled source/,
    ],
    [
      'forward timeout shorter than one request',
      { instance: { requestTimeoutMs: 20_000 }, deployment: { forward: { timeoutSeconds: 15 } } },
      /deployment\.forward\.timeoutSeconds: 15 s leaves no time .* set it above 20/,
    ],
  ])('rejects %s, naming the key', (_case, input, keyMessage) => {
    const app = appFor(writeConfig('invalid', input));
    let thrown: unknown;
    try {
      addRelayStack(app);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).message).toMatch(keyMessage);
  });

  it('rejects a misspelled key, naming the file and the fix', () => {
    const configPath = writeConfig('misspelled', { deployment: { forward: { maxConcurency: 4 } } });

    expect(() => addRelayStack(appFor(configPath))).toThrow(
      `Invalid configuration file ${configPath}:\n` +
        '  deployment.forward.maxConcurency: unknown key; did you mean "maxConcurrency"?',
    );
  });

  it.each<[string, RelayConfigInput, string, string]>([
    [
      'an unknown source id',
      { sources: { virustotl: { secretName: 'secops-relay/source/virustotal' } } },
      ':',
      '  sources.virustotl: no source has this id; did you mean "virustotal"?',
    ],
    [
      'a partner bus for a disabled source',
      {
        deployment: {
          partnerEventBus: {
            name: 'aws.partner/x/1/y',
            sourceId: 'generic',
            eventPattern: { source: ['aws.partner/x'] },
          },
        },
        sources: { generic: { enabled: false, secretName: 's' } },
      },
      ' for deployment:',
      '  deployment.partnerEventBus.sourceId:',
    ],
    [
      'a pull timeout shorter than one request',
      {
        pulls: {
          timeoutSeconds: 30,
          requestTimeoutMs: 30_000,
          jobs: [{ id: 'urlhaus-recent', source: 'urlhaus', secretName: 's' }],
        },
      },
      ' for deployment:',
      '  pulls.timeoutSeconds:',
    ],
    [
      'a vendor host of another vendor',
      {
        pulls: {
          jobs: [
            { id: 'urlhaus-recent', source: 'urlhaus', secretName: 's', enabled: false },
            {
              id: 'threatfox-recent',
              source: 'threatfox',
              secretName: 's',
              api: { baseUrl: 'https://urlhaus-api.abuse.ch' },
            },
          ],
        },
      },
      ' for deployment:',
      '  pulls.jobs[1].api.baseUrl "https://urlhaus-api.abuse.ch" has the host',
    ],
    [
      'an invalid VirusTotal observable',
      {
        pulls: {
          jobs: [
            {
              id: 'vt',
              source: 'virustotal',
              secretName: 's',
              observables: ['8.8.8.8', 'analyst@example.com'],
            },
          ],
        },
      },
      ' for deployment:',
      '  pulls.jobs[0].observables[1]:',
    ],
  ])('names the file when it rejects %s', (_case, input, heading, line) => {
    const configPath = writeConfig('checked', input);

    expect(() => addRelayStack(appFor(configPath))).toThrow(
      `Invalid configuration file ${configPath}${heading}\n${line}`,
    );
  });

  it('keeps relay.config.json under half the environment limit', () => {
    // deploy.md gives these sizes as about 1.5 KB and 1.2 KB, under half of Lambda's 4 KB.
    const { config } = toDeployableConfig(loadConfigFile('relay.config.json'));

    for (const deployed of [withoutPulls(config), pullFunctionConfig(config)]) {
      expect(Buffer.byteLength(encodeConfigForEnv(deployed), 'utf8')).toBeLessThan(2048);
    }
  });

  it('rejects a missing file, naming the path', () => {
    const missing = join(workDir, 'absent.json');
    expect(() => addRelayStack(appFor(missing))).toThrow(
      `Cannot read configuration file ${missing}`,
    );
  });

  it('rejects an environment over Lambda limit', () => {
    // Random host names do not compress, so the encoded configuration stays over 4 KB.
    const allowedHosts = Array.from(
      { length: 150 },
      () => `${randomBytes(16).toString('hex')}.example.com`,
    );
    expect(() => synthRelayStack({ instance: { allowedHosts } })).toThrow(
      /Lambda accepts 4096 bytes in all/,
    );
  });

  it('pins account and region only when configured', () => {
    const pinned = addRelayStack(
      appFor(
        writeConfig('pinned', {
          deployment: { account: '111122223333', region: 'eu-west-1', stackName: 'RelayEu' },
        }),
      ),
    );
    expect(pinned.stackName).toBe('RelayEu');
    expect(pinned.environment).toBe('aws://111122223333/eu-west-1');
  });

  it('removes the local section with a warning', () => {
    const input = {
      local: { secrets: { 'secops-relay/instance': { password: 'sandbox-only-secret' } } },
    };
    const stack = addRelayStack(appFor(writeConfig('local', input)));
    Annotations.fromStack(stack).hasWarning(
      '/SecOpsRelay/Relay',
      Match.stringLikeRegexp('"local" section'),
    );
    expect(JSON.stringify(parseConfig(input))).toContain('sandbox-only-secret');
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('sandbox-only-secret');
  });
});

/**
 * Runs the app as `npx cdk synth` does (the command in cdk.json, with the context and output
 * folder in the environment) and returns its failure, or undefined when it succeeded.
 */
async function synthEntryPoint(
  configPath: string,
  outName: string,
): Promise<{ code: number; stderr: string } | undefined> {
  const context = { ...SKIP_BUNDLING, config: configPath };
  const run = promisify(execFile)('npx', ['tsx', 'infra/app.ts'], {
    cwd: new URL('../..', import.meta.url),
    env: {
      ...process.env,
      CDK_CONTEXT_JSON: JSON.stringify(context),
      CDK_OUTDIR: join(workDir, outName),
    },
  });
  return run.then(
    () => undefined,
    (error: { code: number; stderr: string }) => error,
  );
}

describe('npx cdk synth entry point', () => {
  it('exits 1 and prints the invalid key without a stack trace', async () => {
    const configPath = writeConfig('entry', { deployment: { api: { throttlingBurstLimit: 0 } } });
    const failure = await synthEntryPoint(configPath, 'entry.out');
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('deployment.api.throttlingBurstLimit:');
    expect(failure?.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 1 on a misspelled key, naming the file and the fix', async () => {
    const configPath = writeConfig('entry-misspelled', {
      sources: {
        generic: {
          secretName: 'secops-relay/source/generic',
          auth: { type: 'hmac', timestampHeder: 'x-timestamp' },
        },
      },
    });
    const failure = await synthEntryPoint(configPath, 'entry-misspelled.out');

    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain(
      `Invalid configuration file ${configPath}:\n` +
        '  sources.generic.auth.timestampHeder: unknown key; did you mean "timestampHeader"?\n',
    );
    expect(failure?.stderr).not.toMatch(/\n\s+at /);
  });
});
