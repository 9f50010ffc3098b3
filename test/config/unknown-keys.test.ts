import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  encodeConfigForEnv,
  loadConfigFile,
  loadConfigFromEnv,
  parseConfig,
} from '../../functions/config/load.ts';
import { relayConfigSchema } from '../../functions/config/schema.ts';
import { pullFunctionConfig, withoutPulls } from '../../infra/pull-jobs.ts';
import { toDeployableConfig } from '../../infra/relay-config.ts';

const workDir = mkdtempSync(join(tmpdir(), 'relay-unknown-keys-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** Returns the lines of the ConfigError that `parseConfig` throws for `input`, without the heading. */
function problemLines(input: unknown): string[] {
  try {
    parseConfig(input);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.message.split('\n').slice(1);
  }
  throw new Error('the configuration was accepted');
}

const hmacAuth = (extra: Record<string, unknown>) => ({
  sources: {
    generic: { secretName: 'secops-relay/source/generic', auth: { type: 'hmac', ...extra } },
  },
});

describe('unknown configuration keys', () => {
  it.each<[string, unknown, string]>([
    [
      'at the top level',
      { instanse: { secretName: 'secops-relay/instance' } },
      '  instanse: unknown key; did you mean "instance"?',
    ],
    [
      'in a nested object',
      { deployment: { forward: { maxConcurency: 4 } } },
      '  deployment.forward.maxConcurency: unknown key; did you mean "maxConcurrency"?',
    ],
    [
      "in a source's auth options",
      hmacAuth({ timestampHeder: 'x-timestamp' }),
      '  sources.generic.auth.timestampHeder: unknown key; did you mean "timestampHeader"?',
    ],
    [
      "in a source's settings",
      { sources: { generic: { secretName: 's', enable: false } } },
      '  sources.generic.enable: unknown key; did you mean "enabled"?',
    ],
    [
      'in a pull job',
      {
        pulls: {
          jobs: [
            { id: 'urlhaus-recent', source: 'urlhaus', secretName: 's' },
            { id: 'otx-subscribed', source: 'otx', secretName: 's', pagesize: 20 },
          ],
        },
      },
      '  pulls.jobs[1].pagesize: unknown key; did you mean "pageSize"?',
    ],
    [
      "in a pull job's api",
      { pulls: { jobs: [{ id: 'a', source: 'urlhaus', secretName: 's', api: { baseURL: 'x' } }] } },
      '  pulls.jobs[0].api.baseURL: unknown key; did you mean "baseUrl"?',
    ],
    [
      'in the pulls section',
      { pulls: { timeout: 300 } },
      '  pulls.timeout: unknown key; did you mean "timeoutSeconds"?',
    ],
    [
      'in record columns',
      { records: { threat_lookup_result: { columns: { reportURL: null } } } },
      '  records.threat_lookup_result.columns.reportURL: unknown key; did you mean "reportUrl"?',
    ],
    [
      'in an event pattern',
      {
        deployment: {
          partnerEventBus: {
            name: 'aws.partner/example.com/1/relay',
            sourceId: 'generic',
            eventPattern: { source: ['aws.partner/example.com'], 'detail-type': ['Detection'] },
          },
        },
      },
      '  deployment.partnerEventBus.eventPattern.detail-type: unknown key; did you mean "detailType"?',
    ],
    [
      'in the local section',
      { local: { secret: {} } },
      '  local.secret: unknown key; did you mean "secrets"?',
    ],
  ])('are rejected %s, with the closest key', (_case, input, line) => {
    expect(problemLines(input)).toContain(line);
  });

  it('list the allowed keys when none is close', () => {
    expect(problemLines(hmacAuth({ colour: 'blue' }))).toEqual([
      '  sources.generic.auth.colour: unknown key; expected one of "type", "header", "algorithm", ' +
        '"prefix", "timestampHeader", "toleranceSeconds"',
    ]);
  });

  it('reject a key of another auth type', () => {
    // timestampHeader exists only for "hmac": with "token" it would protect nothing.
    const input = {
      sources: { generic: { secretName: 's', auth: { type: 'token', timestampHeader: 'x-ts' } } },
    };

    expect(problemLines(input)).toEqual([
      '  sources.generic.auth.timestampHeader: unknown key; expected one of "type", "header"',
    ]);
  });

  it('get one line each', () => {
    const lines = problemLines(hmacAuth({ timestampHeder: 'x-ts', tolerance: 60 }));

    expect(lines).toEqual([
      '  sources.generic.auth.timestampHeder: unknown key; did you mean "timestampHeader"?',
      '  sources.generic.auth.tolerance: unknown key; did you mean "toleranceSeconds"?',
    ]);
  });

  it('are reported with the other problems', () => {
    const lines = problemLines({ deployment: { forward: { timeout: 60, batchSize: 0 } } });

    expect(lines).toContain(
      '  deployment.forward.timeout: unknown key; did you mean "timeoutSeconds"?',
    );
    expect(lines.some((line) => line.startsWith('  deployment.forward.batchSize: '))).toBe(true);
  });

  it('are named with the configuration file', () => {
    const path = join(workDir, 'deploy.config.json');
    writeFileSync(path, JSON.stringify(hmacAuth({ timestampHeder: 'x-timestamp' })));

    expect(() => loadConfigFile(path)).toThrow(
      `Invalid configuration file ${path}:\n` +
        '  sources.generic.auth.timestampHeder: unknown key; did you mean "timestampHeader"?',
    );
  });
});

describe('configuration error paths', () => {
  it('put array indexes in brackets', () => {
    expect(
      problemLines({ pulls: { jobs: [{ id: 'a', source: 'shodan', secretName: 's' }] } }),
    ).toEqual([expect.stringMatching(/^ {2}pulls\.jobs\[0\]\.source: /)]);
  });

  it('name the whole document (root)', () => {
    expect(problemLines([])).toEqual([expect.stringMatching(/^ {2}\(root\): /)]);
  });
});

describe('shipped configurations', () => {
  it('load relay.config.json', () => {
    expect(() => loadConfigFile('relay.config.json')).not.toThrow();
  });

  it('load again from every function environment', () => {
    const { config } = toDeployableConfig(loadConfigFile('relay.config.json'));

    for (const deployed of [withoutPulls(config), pullFunctionConfig(config)]) {
      const value = encodeConfigForEnv(deployed);
      expect(loadConfigFromEnv({ SECOPS_RELAY_CONFIG: value })).toEqual(parseConfig(deployed));
    }
  });

  // A JSON block is a configuration example when it sets a top-level configuration key; the
  // secret and error examples set none.
  const sections = new Set(Object.keys(relayConfigSchema.shape));
  const docs = [
    'docs/configuration.md',
    'docs/deploy.md',
    'docs/pulls.md',
    'README.md',
    ...readdirSync('docs/sources').map((name) => `docs/sources/${name}`),
  ];
  const examples = docs.flatMap((doc) =>
    [...readFileSync(doc, 'utf8').matchAll(/```json\n([\s\S]*?)```/g)]
      .map((match) => JSON.parse(match[1]!) as unknown)
      .filter(
        (json) =>
          typeof json === 'object' &&
          json !== null &&
          Object.keys(json).some((key) => sections.has(key)),
      )
      .map((json, index) => [`${doc} example ${index + 1}`, json] as const),
  );

  it('include the examples of the docs', () => {
    expect(examples.length).toBeGreaterThanOrEqual(10);
  });

  it.each(examples)('load %s', (_name, json) => {
    expect(() => parseConfig(json)).not.toThrow();
  });
});
