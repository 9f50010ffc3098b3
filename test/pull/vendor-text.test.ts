import { describe, expect, it } from 'vitest';
import { LocalSecretStore } from '../../functions/credentials/local.ts';
import { PullError } from '../../functions/pull/errors.ts';
import { MAX_QUOTED_CHARS } from '../../functions/shared/redact.ts';
import { usePullEnvironment, type JobInput } from './environment.ts';
import type { PullHarness } from './harness.ts';

const env = usePullEnvironment();

/** An API key with characters that JSON and URL encoding change. */
const KEY = 'SEKRET/tf+key="1"';

/** The forms in which a vendor or a proxy may echo the key. */
const ECHOED_FORMS = [
  KEY,
  JSON.stringify(KEY).slice(1, -1),
  JSON.stringify(KEY).slice(1, -1).replaceAll('/', '\\/'),
  encodeURIComponent(KEY),
  encodeURIComponent(KEY).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
  new URLSearchParams({ key: KEY }).toString().slice('key='.length),
];

const JOBS: Record<string, JobInput> = {
  threatfox: { id: 'job', source: 'threatfox', secretName: 's/job', api: { baseUrl: '' } },
  urlhaus: { id: 'job', source: 'urlhaus', secretName: 's/job', api: { baseUrl: '' } },
  abuseipdb: { id: 'job', source: 'abuseipdb', secretName: 's/job', api: { baseUrl: '' } },
  otx: { id: 'job', source: 'otx', secretName: 's/job', api: { baseUrl: '' } },
  virustotal: {
    id: 'job',
    source: 'virustotal',
    secretName: 's/job',
    api: { baseUrl: '' },
    observables: ['malware.example.com'],
  },
};

/** Creates a harness for one job of `source` whose secret contains KEY. */
async function harnessFor(
  source: keyof typeof JOBS,
  settings: { maxResponseBytes?: number } = {},
): Promise<PullHarness> {
  const job = { ...JOBS[source], api: { baseUrl: env.vendor.url } } as JobInput;
  const h = await env.harness([job], undefined, settings);
  h.deps.secrets = new LocalSecretStore({ 's/job': { apiKey: KEY } });
  return h;
}

async function failedRun(h: PullHarness): Promise<PullError> {
  const failure = await h.run('job').catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(PullError);
  return failure as PullError;
}

/** Everything a failed run exposes: the error's message and stack, and every log line. */
function exposedText(h: PullHarness, failure: Error): string {
  return `${failure.message}\n${failure.stack}\n${h.logs.text()}`;
}

describe('vendor text in pull errors', () => {
  it.each(Object.keys(JOBS))('redacts the key a %s error body echoes', async (source) => {
    const h = await harnessFor(source);
    env.vendor.answer(() => ({
      status: 401,
      text: `invalid key: ${ECHOED_FORMS.join(' | ')}`,
    }));

    const failure = await failedRun(h);

    expect(env.vendor.requests).toHaveLength(1);
    expect(failure.code).toBe('vendor_rejected');
    expect(failure.message).toContain('HTTP 401: invalid key: [redacted] | [redacted]');
    for (const form of ECHOED_FORMS) expect(exposedText(h, failure)).not.toContain(form);
  });

  it('rejects a key with a line break without quoting it', async () => {
    const h = await harnessFor('threatfox');
    const key = 'SEKRET-line1\nline2-abcdef';
    h.deps.secrets = new LocalSecretStore({ 's/job': { apiKey: key } });

    const failure = await failedRun(h);

    expect(failure.code).toBe('api_key_missing');
    expect(failure.message).toContain('line break');
    expect(env.vendor.requests).toHaveLength(0);
    expect(exposedText(h, failure)).not.toContain('SEKRET-line1');
  });

  it('redacts the start of a key where a long error body was cut', async () => {
    const h = await harnessFor('threatfox');
    // Only the start of an error body is read, so the key straddles the cut. Trimming the
    // spaces would then bring its first characters to the front of the quote.
    env.vendor.answer(() => ({ status: 401, text: `${' '.repeat(64 * 1024 - 12)}${KEY}` }));

    const failure = await failedRun(h);

    expect(failure.code).toBe('vendor_rejected');
    expect(failure.message).toContain('HTTP 401: [redacted]');
    expect(exposedText(h, failure)).not.toContain(KEY.slice(0, 8));
  });

  it.each(['threatfox', 'urlhaus'])('redacts the key a %s query_status echoes', async (source) => {
    const h = await harnessFor(source);
    env.vendor.answer(() => ({
      json: { query_status: `unknown_auth_key ${KEY}`, data: `key ${KEY}` },
    }));

    const failure = await failedRun(h);

    expect(failure.code).toBe('vendor_rejected');
    expect(failure.message).toContain('query_status "unknown_auth_key [redacted]"');
    expect(exposedText(h, failure)).not.toContain(KEY);
    expect(exposedText(h, failure)).not.toContain(JSON.stringify(KEY).slice(1, -1));
  });

  it('cuts a long query_status', async () => {
    const h = await harnessFor('threatfox');
    env.vendor.answer(() => ({ json: { query_status: 'x'.repeat(60_000), data: 'y' } }));

    const failure = await failedRun(h);

    expect(failure.code).toBe('vendor_rejected');
    expect(failure.message).toContain(`query_status "${'x'.repeat(MAX_QUOTED_CHARS)}…"`);
    expect(failure.message.length).toBeLessThan(MAX_QUOTED_CHARS + 200);
  });

  it.each([
    ['with Content-Length', true],
    ['chunked', false],
  ])('reports an oversized 400 as rejected, %s', async (_case, declareLength) => {
    const h = await harnessFor('threatfox', { maxResponseBytes: 65_536 });
    env.vendor.answer(() => ({
      status: 400,
      // Far more than the loopback buffers take, so the server cannot finish unless the client reads.
      stream: {
        bytes: 32 * 1024 * 1024,
        declareLength,
        prefix: `{"error":"bad key ${KEY}", "pad":"`,
      },
    }));

    const failure = await failedRun(h);

    expect(failure.code).toBe('vendor_rejected');
    expect(failure.message).toContain('ThreatFox returned HTTP 400: {"error":"bad key [redacted]"');
    expect(failure.message).not.toContain('maxResponseBytes');
    expect(failure.message.length).toBeLessThan(MAX_QUOTED_CHARS + 200);
    expect(exposedText(h, failure)).not.toContain(KEY);
    expect(env.vendor.requests).toHaveLength(1);
    expect((await env.vendor.streams[0])?.complete).toBe(false);
  });

  it('still rejects an oversized 200 as too large', async () => {
    const h = await harnessFor('threatfox', { maxResponseBytes: 65_536 });
    env.vendor.answer(() => ({ stream: { bytes: 3_600_000, declareLength: false } }));

    const failure = await failedRun(h);

    expect(failure.code).toBe('vendor_response_too_large');
  });

  it('redacts the key from a redirect location', async () => {
    const h = await harnessFor('otx');
    env.vendor.answer(() => ({
      status: 302,
      headers: { location: `https://elsewhere.example/?key=${encodeURIComponent(KEY)}` },
    }));

    const failure = await failedRun(h);

    expect(failure.code).toBe('vendor_redirect');
    expect(failure.message).toContain('https://elsewhere.example/?key=[redacted]');
    expect(exposedText(h, failure)).not.toContain(encodeURIComponent(KEY));
  });

  it('redacts the key from a skipped item log line', async () => {
    const h = await harnessFor('threatfox');
    const item = {
      id: '1500301',
      ioc: '192.0.2.44',
      threat_type: 'botnet_cc',
      ioc_type: `type ${KEY}`,
      malware: 'win.example',
      malware_printable: 'Example',
      confidence_level: 90,
      // Inside the run's window, which starts at the harness's first `since`.
      first_seen: '2026-11-30 18:00:00 UTC',
      last_seen: null,
      reference: null,
      tags: null,
    };
    env.vendor.answer(() => ({ json: { query_status: 'ok', data: [item] } }));

    await h.run('job');

    const skipped = h.logs.lines().filter((line) => line.message === 'Item skipped');
    expect(skipped).toHaveLength(1);
    expect(JSON.stringify(skipped[0])).toContain('[redacted]');
    for (const form of ECHOED_FORMS) expect(h.logs.text()).not.toContain(form);
  });

  it('keeps the reason of an interrupted run in its log', async () => {
    const h = await harnessFor('threatfox');
    env.vendor.answer(() => ({ status: 429, headers: { 'retry-after': '100000' } }));

    const result = await h.run('job');

    expect(result).toMatchObject({ outcome: 'stopped', stopReason: 'rate_limited' });
    const interrupted = h.logs.lines().find((line) => line.message === 'Pull run interrupted');
    expect(interrupted).toMatchObject({ reason: 'rate_limited' });
    expect(interrupted?.detail).toMatch(/rate-limits job "job" \(HTTP 429\)/);
    expect(h.logs.text()).not.toContain('reserved key');
  });
});

describe('vendor shape errors', () => {
  it.each([
    [
      'threatfox',
      { query_status: 'ok', data: { weird: 1 } },
      'data: Invalid input: expected array',
    ],
    [
      'threatfox',
      { query_status: 'ok', data: [{ id: 1, ioc: null }] },
      'data[0].ioc: Invalid input',
    ],
    ['urlhaus', { query_status: 'ok', urls: [{ id: 1 }] }, 'urls[0].url: Invalid input'],
    ['abuseipdb', { data: [{ ipAddress: '' }] }, 'data[0].ipAddress: Too small'],
    ['otx', { results: {} }, 'results: Invalid input: expected array'],
    ['virustotal', [], '(body): Invalid input: expected object'],
  ])('names the full path in a %s response', async (source, json, problem) => {
    const h = await harnessFor(source);
    env.vendor.answer(() => ({ json }));

    const failure = await failedRun(h);

    expect(failure.code).toBe('vendor_response_invalid');
    expect(failure.message).toContain(`(${problem}`);
  });
});
