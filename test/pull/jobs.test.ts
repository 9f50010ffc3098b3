import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PullError } from '../../functions/pull/errors.ts';
import type { RelayRecord } from '../../functions/records/record.ts';
import { usePullEnvironment, type JobInput } from './environment.ts';
import {
  abuseIpDbEntry,
  otxPulse,
  threatFoxAnswer,
  threatFoxIoc,
  urlhausUrl,
  virusTotalDomain,
} from './fixtures.ts';
import { TEST_API_KEY, type PullHarness } from './harness.ts';

// Real vendor responses kept beside the project, outside the repository; a fresh clone lacks
// them, and then the tests that read them are skipped.
const CORPUS = new URL('../../../shared/corpus/', import.meta.url);
const corpusFile = (path: string) => new URL(path, CORPUS);
const hasCorpus = (path: string) => existsSync(corpusFile(path));
const readCorpus = (path: string): unknown => JSON.parse(readFileSync(corpusFile(path), 'utf8'));
if (!existsSync(CORPUS))
  console.warn(`Skipping the pull corpus tests: ${CORPUS.pathname} does not exist.`);

const env = usePullEnvironment();

const harnessFor = (job: JobInput, clockAt?: string): Promise<PullHarness> =>
  env.harness([job], clockAt);

const queuedRecords = (h: PullHarness): RelayRecord[] =>
  h.queue.messages.map((message) => message.record);
const observablesOf = (records: RelayRecord[]) =>
  [
    ...new Set(
      records.flatMap((record) => ('observable' in record ? [record.observable.value] : [])),
    ),
  ].sort();

describe('threatfox job', () => {
  const job = () => ({
    id: 'tf',
    source: 'threatfox' as const,
    secretName: 's/tf',
    api: { baseUrl: env.vendor.url },
  });

  it('enqueues each IOC through the threatfox adapter', async () => {
    const h = await harnessFor(job());
    env.vendor.answer(() => ({
      json: threatFoxAnswer([threatFoxIoc(7, '2026-12-01 08:00:00 UTC', 'c2.example.net')]),
    }));

    const result = await h.run('tf');

    expect(result).toMatchObject({ outcome: 'completed', queued: 1, rejected: 0 });
    expect(observablesOf(queuedRecords(h))).toEqual(['https://c2.example.net/gate.php']);
    expect(h.queue.messages.every((message) => message.source === 'threatfox')).toBe(true);
  });

  it.each([
    [
      'unknown_auth_key body',
      { json: { query_status: 'unknown_auth_key' } },
      /query_status "unknown_auth_key"/,
    ],
    ['HTTP 401', { status: 401, text: 'Unauthorized' }, /HTTP 401: Unauthorized/],
  ])('fails on %s', async (_name, reply, message) => {
    const h = await harnessFor(job());
    env.vendor.answer(() => reply);

    const failure = await h.run('tf').catch((error: unknown) => error);

    expect((failure as PullError).code).toBe('vendor_rejected');
    expect((failure as PullError).message).toMatch(message);
    expect(await h.state.read('tf')).toMatchObject({ version: 0 });
  });

  it('never puts the API key in a log line or message', async () => {
    const h = await harnessFor(job());
    env.vendor.answer(() => ({
      status: 403,
      text: `key ${TEST_API_KEY} is not valid for this plan`,
    }));

    const failure = await h.run('tf').catch((error: unknown) => error);

    expect((failure as Error).message).toContain('[redacted]');
    expect((failure as Error).message).not.toContain(TEST_API_KEY);
    expect(h.logs.text()).not.toContain(TEST_API_KEY);
  });

  it.skipIf(!hasCorpus('threatfox/search-result-2-iocs.json'))(
    'reads a published ThreatFox response',
    async () => {
      const h = await harnessFor({ ...job(), lookbackHours: 168 }, '2022-01-08T00:00:00Z');
      env.vendor.answer(() => ({ json: readCorpus('threatfox/search-result-2-iocs.json') }));

      const result = await h.run('tf');

      expect(result).toMatchObject({ fetched: 2, queued: 2, rejected: 0 });
      expect(observablesOf(queuedRecords(h))).toEqual([
        'cf87c474b0154c536cdf0e771c8ca97d9c4ba1d5530f669b677cd3b9346fe37d',
        'https://188.131.211.152/activity',
      ]);
      expect((await h.state.read('tf'))?.watermark).toBe('2022-01-07T16:29:58.000Z');
    },
  );

  it.skipIf(!hasCorpus('threatfox/ioc-ipport-asyncrat-confidence75.json'))(
    'reads a published ip:port IOC',
    async () => {
      const h = await harnessFor(job(), '2022-08-05T12:00:00Z');
      const ioc = readCorpus('threatfox/ioc-ipport-asyncrat-confidence75.json');
      env.vendor.answer(() => ({ json: { query_status: 'ok', data: [ioc] } }));

      const result = await h.run('tf');

      expect(result).toMatchObject({ queued: 1, rejected: 0 });
      expect(observablesOf(queuedRecords(h))).toEqual(['81.2.69.142']);
    },
  );
});

describe('urlhaus job', () => {
  const job = (extra: Partial<JobInput> = {}) =>
    ({
      id: 'uh',
      source: 'urlhaus',
      secretName: 's/uh',
      api: { baseUrl: env.vendor.url },
      ...extra,
    }) as JobInput;

  it('sends the documented request and enqueues each URL', async () => {
    const h = await harnessFor(job());
    env.vendor.answer(() => ({
      json: {
        query_status: 'ok',
        urls: [
          urlhausUrl(12, '2026-12-01 11:00:00 UTC'),
          urlhausUrl(11, '2026-12-01 10:00:00 UTC'),
        ],
      },
    }));

    const result = await h.run('uh');

    const [request] = env.vendor.requests;
    expect(request?.method).toBe('GET');
    expect(request?.url).toBe('/v1/urls/recent/limit/1000/');
    expect(request?.headers['auth-key']).toBe(TEST_API_KEY);
    expect(result).toMatchObject({ queued: 2, rejected: 0 });
    expect((await h.state.read('uh'))?.watermark).toBe('2026-12-01T11:00:00.000Z');
  });

  it('warns when a full response may leave a gap', async () => {
    const h = await harnessFor(job({ pageSize: 2 }));
    env.vendor.answer(() => ({
      json: {
        query_status: 'ok',
        urls: [
          urlhausUrl(12, '2026-12-01 11:00:00 UTC'),
          urlhausUrl(11, '2026-12-01 10:00:00 UTC'),
        ],
      },
    }));

    await h.run('uh');

    const warning = h.logs
      .lines()
      .find((line) => String(line.message).startsWith('Vendor returned its maximum'));
    expect(warning).toMatchObject({
      oldestReturned: '2026-12-01T10:00:00.000Z',
      since: '2026-11-30T12:00:00.000Z',
    });
  });

  it('treats no_results as an empty feed', async () => {
    const h = await harnessFor(job());
    env.vendor.answer(() => ({ json: { query_status: 'no_results' } }));

    await expect(h.run('uh')).resolves.toMatchObject({ outcome: 'completed', fetched: 0 });
  });

  it.skipIf(!hasCorpus('urlhaus/recent-urls.json'))(
    'reads a published recent-URLs response',
    async () => {
      const h = await harnessFor(job(), '2025-05-18T06:00:00Z');
      const answer = readCorpus('urlhaus/recent-urls.json') as { urls: unknown[] };
      env.vendor.answer(() => ({ json: answer }));

      const result = await h.run('uh');

      expect(result).toMatchObject({
        fetched: answer.urls.length,
        queued: answer.urls.length,
        rejected: 0,
      });
      expect((await h.state.read('uh'))?.watermark).toBe('2025-05-18T03:45:10.000Z');
    },
  );
});

describe('abuseipdb job', () => {
  const job = () => ({
    id: 'ab',
    source: 'abuseipdb' as const,
    secretName: 's/ab',
    api: { baseUrl: env.vendor.url },
  });
  const blacklist = (entries: ReturnType<typeof abuseIpDbEntry>[]) => ({
    json: { meta: { generatedAt: '2026-12-01T11:59:00+00:00' }, data: entries },
  });

  it('converts blacklist entries to check responses', async () => {
    const h = await harnessFor(job());
    env.vendor.answer(() =>
      blacklist([
        abuseIpDbEntry('203.0.113.9', '2026-12-01T11:00:00+00:00'),
        abuseIpDbEntry('2001:db8::9', '2026-12-01T10:00:00+00:00', 92),
      ]),
    );

    const result = await h.run('ab');

    const [request] = env.vendor.requests;
    expect(request?.url).toBe('/api/v2/blacklist?confidenceMinimum=100&limit=10000');
    expect(request?.headers.key).toBe(TEST_API_KEY);
    expect(request?.headers.accept).toBe('application/json');
    expect(result).toMatchObject({ queued: 2, rejected: 0 });
    expect(observablesOf(queuedRecords(h))).toEqual(['2001:db8::9', '203.0.113.9']);
    expect(
      queuedRecords(h).every((record) => 'source' in record && record.source === 'AbuseIPDB'),
    ).toBe(true);
  });

  it('sends an address again only when it was reported again', async () => {
    const h = await harnessFor(job());
    const first = abuseIpDbEntry('203.0.113.9', '2026-12-01T11:00:00+00:00');
    const other = abuseIpDbEntry('203.0.113.10', '2026-12-01T11:30:00+00:00');
    env.vendor.answer(() => blacklist([first, other]));
    await h.run('ab');

    h.clock.advance(6 * 3_600_000);
    env.vendor.answer(() =>
      blacklist([abuseIpDbEntry('203.0.113.9', '2026-12-01T17:00:00+00:00'), other]),
    );
    const second = await h.run('ab');

    expect(second).toMatchObject({ queued: 1 });
    expect(h.enqueuedItems()).toEqual(
      new Map([
        ['abuseipdb:203.0.113.9:2026-12-01T11:00:00+00:00', 1],
        ['abuseipdb:203.0.113.10:2026-12-01T11:30:00+00:00', 1],
        ['abuseipdb:203.0.113.9:2026-12-01T17:00:00+00:00', 1],
      ]),
    );
  });
});

describe('otx job', () => {
  const job = () => ({
    id: 'ox',
    source: 'otx' as const,
    secretName: 's/ox',
    api: { baseUrl: env.vendor.url },
  });

  it('converts pulse indicators to general sections', async () => {
    const h = await harnessFor(job());
    const pulse = otxPulse('65a1f0c2e1d3', '2026-12-01T09:30:00.123456', [
      ['domain', 'phish.example.org'],
      ['IPv4', '198.51.100.77'],
      ['CVE', 'CVE-2024-3400'],
    ]);
    pulse.indicators[1]!.is_active = 0;
    env.vendor.answer(() => ({ json: { count: 1, next: null, previous: null, results: [pulse] } }));

    const result = await h.run('ox');

    expect(result).toMatchObject({ fetched: 2, queued: 1, rejected: 1 });
    expect(observablesOf(queuedRecords(h))).toEqual(['phish.example.org']);
    const text = JSON.stringify(h.queue.messages);
    expect(text).not.toContain('analyst-handle');
    expect(text).not.toContain('Analyst notes');
    const lines = h.logs.lines();
    expect(lines.find((line) => line.message === 'Pulled item skipped')).toMatchObject({
      reason: 'inactive_indicator',
    });
    expect(lines.find((line) => line.message === 'Pulled item rejected')).toMatchObject({
      code: 'unsupported_payload',
    });
    const query = new URL(env.vendor.requests[0]!.url, env.vendor.url).searchParams;
    expect(Object.fromEntries(query)).toEqual({
      modified_since: '2026-11-30T12:00:00.000Z',
      limit: '50',
      page: '1',
    });
    expect((await h.state.read('ox'))?.watermark).toBe('2026-12-01T09:30:00.123Z');
  });

  it('sends an edited pulse again', async () => {
    const h = await harnessFor(job());
    const answer = (modified: string) => ({
      json: {
        count: 1,
        next: null,
        results: [otxPulse('65a1f0c2e1d3', modified, [['domain', 'phish.example.org']])],
      },
    });
    env.vendor.answer(() => answer('2026-12-01T09:30:00'));
    await h.run('ox');
    h.clock.advance(3_600_000);
    env.vendor.answer(() => answer('2026-12-01T12:40:00'));

    const second = await h.run('ox');

    expect(second).toMatchObject({ queued: 1 });
    expect(env.vendor.requests[1]?.url).toContain('modified_since=2026-12-01T09%3A30%3A00.000Z');
  });
});

describe('virustotal job', () => {
  const hash = '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f';
  const job = (observables: string[]) => ({
    id: 'vt',
    source: 'virustotal' as const,
    secretName: 's/vt',
    api: { baseUrl: env.vendor.url },
    observables,
  });

  it('looks every observable up and keeps the rate', async () => {
    const h = await harnessFor(
      job(['malware.example.com', '198.51.100.5', 'http://malware.example.net/x', hash]),
    );
    env.vendor.answer((request) => {
      if (request.url.startsWith('/api/v3/domains/'))
        return { json: virusTotalDomain('malware.example.com', 1764576000, 9) };
      return { status: 404, json: { error: { code: 'NotFoundError', message: 'not found' } } };
    });

    const result = await h.run('vt', 600_000);

    expect(env.vendor.requests.map((request) => request.url)).toEqual([
      '/api/v3/domains/malware.example.com',
      '/api/v3/ip_addresses/198.51.100.5',
      `/api/v3/urls/${Buffer.from('http://malware.example.net/x').toString('base64url')}`,
      `/api/v3/files/${hash}`,
    ]);
    expect(
      env.vendor.requests.every((request) => request.headers['x-apikey'] === TEST_API_KEY),
    ).toBe(true);
    // The public API allows 4 lookups a minute: 15 s between requests.
    expect(h.clock.waits).toEqual([15_000, 15_000, 15_000]);
    expect(result).toMatchObject({ outcome: 'completed', queued: 1, pages: 4 });
    expect(h.logs.lines().filter((line) => line.reason === 'not_found')).toHaveLength(3);
    expect((await h.state.read('vt'))?.watermark).toBe('2025-12-01T08:00:00.000Z');
  });

  it('sends a report again only after a new analysis', async () => {
    const h = await harnessFor({ ...job(['malware.example.com']), requestIntervalMs: 0 });
    let analysedAt = 1764576000;
    env.vendor.answer(() => ({ json: virusTotalDomain('malware.example.com', analysedAt, 9) }));

    const first = await h.run('vt');
    h.clock.advance(86_400_000);
    const unchanged = await h.run('vt');
    analysedAt += 86_400;
    h.clock.advance(86_400_000);
    const reanalysed = await h.run('vt');

    expect([first.queued, unchanged.queued, reanalysed.queued]).toEqual([1, 0, 1]);
    expect(h.enqueuedItems().size).toBe(2);
  });

  it.each([
    ['an unknown form', 'not an observable at all'],
    ['an e-mail address', 'analyst@example.com'],
  ])('rejects %s in observables', async (_name, value) => {
    const h = await harnessFor(job(['malware.example.com', value]));

    const failure = await h.run('vt').catch((error: unknown) => error);

    expect((failure as PullError).code).toBe('job_invalid');
    expect((failure as PullError).message).toContain('pulls.jobs["vt"].observables[1]');
    expect(env.vendor.requests).toHaveLength(0);
  });

  it.skipIf(!hasCorpus('virustotal/v3-url-example.com.json'))(
    'reads published VirusTotal reports',
    async () => {
      const h = await harnessFor({
        ...job(['http://example.com/', '1.1.1.1']),
        requestIntervalMs: 0,
      });
      env.vendor.answer((request) =>
        request.url.startsWith('/api/v3/urls/')
          ? { json: readCorpus('virustotal/v3-url-example.com.json') }
          : { json: readCorpus('virustotal/v3-ip_address-1.1.1.1.json') },
      );

      const result = await h.run('vt');

      expect(result).toMatchObject({ queued: 2, rejected: 0 });
      expect(observablesOf(queuedRecords(h))).toEqual(['1.1.1.1', 'http://example.com/']);
    },
  );
});
