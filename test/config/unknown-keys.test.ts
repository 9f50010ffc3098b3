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
      '  sources.generic.auth.colour: unknown key for auth type "hmac"; expected one of "type", ' +
        '"header", "algorithm", "prefix", "timestampHeader", "toleranceSeconds"',
    ]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'timestampHeader',
      { timestampHeader: 'x-ts' },
      'unknown key for auth type "token"; "timestampHeader" is a key of auth type "hmac"',
    ],
    [
      'algorithm',
      { algorithm: 'sha512' },
      'unknown key for auth type "token"; "algorithm" is a key of auth type "hmac"',
    ],
    [
      'prefix',
      { prefix: 'sha256=' },
      'unknown key for auth type "token"; "prefix" is a key of auth type "hmac"',
    ],
    [
      'toleranceSeconds',
      { toleranceSeconds: 60 },
      'unknown key for auth type "token"; "toleranceSeconds" is a key of auth type "hmac" or "standard-webhooks"',
    ],
  ])('name the auth type of %s', (key, extra, message) => {
    // timestampHeader exists only for "hmac": with "token" it would protect nothing.
    const input = { sources: { generic: { secretName: 's', auth: { type: 'token', ...extra } } } };

    expect(problemLines(input)).toEqual([`  sources.generic.auth.${key}: ${message}`]);
  });

  it('name the job source of pageSize', () => {
    const input = {
      pulls: {
        jobs: [{ id: 'threatfox-recent', source: 'threatfox', secretName: 's', pageSize: 5 }],
      },
    };

    expect(problemLines(input)).toEqual([
      '  pulls.jobs[0].pageSize: unknown key for job source "threatfox"; "pageSize" is a key of ' +
        'job source "urlhaus", "abuseipdb" or "otx"',
    ]);
  });

  it('suggest a misspelled key of another job source', () => {
    const input = {
      pulls: {
        jobs: [{ id: 'threatfox-recent', source: 'threatfox', secretName: 's', pagesize: 5 }],
      },
    };

    expect(problemLines(input)).toEqual([
      '  pulls.jobs[0].pagesize: unknown key for job source "threatfox"; did you mean "pageSize", ' +
        'a key of job source "urlhaus", "abuseipdb" or "otx"?',
    ]);
  });

  it('list the keys of the own auth type', () => {
    const input = { sources: { generic: { secretName: 's', auth: { type: 'token', colour: 1 } } } };

    expect(problemLines(input)).toEqual([
      '  sources.generic.auth.colour: unknown key for auth type "token"; expected one of "type", "header"',
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

describe('invalid discriminator values', () => {
  const auth = (value: Record<string, unknown>) => ({
    sources: { generic: { secretName: 's', auth: value } },
  });

  it.each<[string, unknown, string]>([
    [
      'a misspelled auth type',
      auth({ type: 'hmc' }),
      '  sources.generic.auth.type: invalid auth type "hmc"; did you mean "hmac"?',
    ],
    [
      'an unknown auth type',
      auth({ type: 'oauth' }),
      '  sources.generic.auth.type: invalid auth type "oauth"; expected one of "token", "hmac", ' +
        '"standard-webhooks", "none"',
    ],
    [
      'an auth type that is not a string',
      auth({ type: 5 }),
      '  sources.generic.auth.type: invalid auth type 5; expected one of "token", "hmac", ' +
        '"standard-webhooks", "none"',
    ],
    [
      'a missing auth type',
      auth({ header: 'x-token' }),
      '  sources.generic.auth.type: missing auth type; set one of "token", "hmac", ' +
        '"standard-webhooks", "none"',
    ],
    [
      'a misspelled job source',
      { pulls: { jobs: [{ id: 'a', source: 'threatfx', secretName: 's' }] } },
      '  pulls.jobs[0].source: invalid job source "threatfx"; did you mean "threatfox"?',
    ],
  ])('name %s', (_case, input, line) => {
    expect(problemLines(input)).toEqual([line]);
  });

  it('cut a long value', () => {
    const lines = problemLines(auth({ type: 'x'.repeat(500) }));

    expect(lines[0]).toContain(`invalid auth type "${'x'.repeat(59)}…; expected one of`);
  });
});

describe('documented configuration errors', () => {
  /** Returns the shipped configuration with `change` applied, as a test's own copy. */
  function shippedWith(change: (config: ShippedConfig) => void): unknown {
    const config = JSON.parse(readFileSync('relay.config.json', 'utf8')) as ShippedConfig;
    change(config);
    return config;
  }

  type ShippedConfig = {
    sources: Record<string, { auth: Record<string, unknown> }>;
    pulls: { jobs: Record<string, unknown>[] };
  };
  const configurationDoc = readFileSync('docs/configuration.md', 'utf8');

  it.each<[string, (config: ShippedConfig) => void]>([
    [
      'unknown keys',
      (config) => {
        config.sources.virustotal!.auth.timestampHeader = 'x-timestamp';
        config.sources.generic!.auth.timestampHeder = 'x-timestamp';
        config.pulls.jobs[0]!.pageSize = 500;
        config.pulls.jobs[1]!.pagesize = 500;
      },
    ],
    [
      'invalid types',
      (config) => {
        config.sources.generic!.auth.type = 'hmc';
        config.pulls.jobs[0]!.source = 'threatfx';
      },
    ],
  ])('match the example of %s', (_case, change) => {
    const lines = problemLines(shippedWith(change));

    expect(configurationDoc).toContain(
      ['Invalid configuration file relay.config.json:', ...lines].join('\n'),
    );
  });

  it('match the example in the pulls guide', () => {
    const lines = problemLines(
      shippedWith((config) => {
        config.pulls.jobs[0]!.pageSize = 500;
        config.pulls.jobs[1]!.pagesize = 500;
      }),
    );

    expect(readFileSync('docs/pulls.md', 'utf8')).toContain(
      lines.map((line) => line.trim()).join('\n'),
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
