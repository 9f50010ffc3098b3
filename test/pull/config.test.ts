import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig } from '../../functions/config/load.ts';

const parseError = (input: unknown): string => {
  try {
    parseConfig(input);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return '';
};

describe('pulls configuration', () => {
  it('is absent unless configured', () => {
    expect(parseConfig({}).pulls).toBeUndefined();
    expect(parseConfig({ pulls: {} }).pulls).toEqual({
      jobs: [],
      allowedHosts: [],
      dedupeTtlDays: 30,
      requestTimeoutMs: 20_000,
      maxAttempts: 4,
      maxResponseBytes: 33_554_432,
      timeoutSeconds: 300,
      memorySizeMb: 512,
    });
  });

  it.each([
    ['threatfox', 'https://threatfox-api.abuse.ch', '/api/v1/', 'rate(1 hour)', {}],
    ['urlhaus', 'https://urlhaus-api.abuse.ch', '/v1/urls/recent/', 'rate(1 hour)', {}],
    [
      'abuseipdb',
      'https://api.abuseipdb.com',
      '/api/v2/blacklist',
      'rate(6 hours)',
      { confidenceMinimum: 100 },
    ],
    ['otx', 'https://otx.alienvault.com', '/api/v1/pulses/subscribed', 'rate(1 hour)', {}],
  ])('fills the documented %s defaults', (source, baseUrl, endpoint, schedule, query) => {
    const [job] = parseConfig({ pulls: { jobs: [{ id: 'job-a', source, secretName: 's' }] } })
      .pulls!.jobs;

    expect(job?.api).toEqual({ baseUrl, endpoint, query });
    expect(job?.schedule).toBe(schedule);
    expect(job?.maxItemsPerRun).toBe(1000);
  });

  it('paces VirusTotal lookups for the public API', () => {
    const [job] = parseConfig({
      pulls: {
        jobs: [{ id: 'vt', source: 'virustotal', secretName: 's', observables: ['example.com'] }],
      },
    }).pulls!.jobs;

    expect(job).toMatchObject({ requestIntervalMs: 15_000, schedule: 'rate(1 day)' });
  });

  it.each([
    [
      'a duplicate id',
      [
        { id: 'a', source: 'urlhaus', secretName: 's' },
        { id: 'a', source: 'otx', secretName: 's' },
      ],
      /pulls\.jobs\[1\]\.id: "a" is the id of an earlier job/,
    ],
    [
      'an unknown source',
      [{ id: 'a', source: 'shodan', secretName: 's' }],
      /pulls\.jobs\[0\]\.source/,
    ],
    ['a missing secret', [{ id: 'a', source: 'urlhaus' }], /pulls\.jobs\[0\]\.secretName/],
    [
      'an invalid schedule',
      [{ id: 'a', source: 'urlhaus', secretName: 's', schedule: 'every hour' }],
      /pulls\.jobs\[0\]\.schedule: must be an EventBridge Scheduler expression/,
    ],
    [
      'a reserved query key',
      [{ id: 'a', source: 'otx', secretName: 's', api: { query: { page: 3 } } }],
      /pulls\.jobs\[0\]\.api\.query: must not set "modified_since", "limit", "page"/,
    ],
    [
      'a base URL with a path',
      [
        {
          id: 'a',
          source: 'urlhaus',
          secretName: 's',
          api: { baseUrl: 'https://urlhaus-api.abuse.ch/v1' },
        },
      ],
      /pulls\.jobs\[0\]\.api\.baseUrl/,
    ],
    [
      'VirusTotal without observables',
      [{ id: 'a', source: 'virustotal', secretName: 's' }],
      /pulls\.jobs\[0\]\.observables/,
    ],
    [
      "a lookback past ThreatFox's 7 days",
      [{ id: 'a', source: 'threatfox', secretName: 's', lookbackHours: 200 }],
      /pulls\.jobs\[0\]\.lookbackHours/,
    ],
    [
      'an upper-case id',
      [{ id: 'ThreatFox', source: 'threatfox', secretName: 's' }],
      /pulls\.jobs\[0\]\.id: must be a job id/,
    ],
  ])('rejects %s', (_name, jobs, message) => {
    expect(parseError({ pulls: { jobs } })).toMatch(message);
  });

  it.each([
    [1000, /pulls\.maxResponseBytes: .*>=65536/],
    [512 * 1024 * 1024, /pulls\.maxResponseBytes: .*<=268435456/],
  ])('rejects maxResponseBytes %i', (maxResponseBytes, message) => {
    expect(parseError({ pulls: { maxResponseBytes } })).toMatch(message);
  });

  it('parses the example jobs of relay.config.json', () => {
    const config = loadConfigFile('relay.config.json');
    const sources = config.pulls!.jobs.map((job) => job.source).sort();

    expect(sources).toEqual(['abuseipdb', 'otx', 'threatfox', 'urlhaus', 'virustotal']);
    for (const job of config.pulls!.jobs) {
      expect(config.local?.secrets[job.secretName]).toHaveProperty('apiKey');
    }
  });
});
