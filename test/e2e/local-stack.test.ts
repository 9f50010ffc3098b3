import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { send } from '../../cli/send.ts';
import { loadConfigFile, parseConfig } from '../../functions/config/load.ts';
import type { RelayConfig } from '../../functions/config/schema.ts';
import type { LocalStack } from '../../local/stack.ts';
import { captureLogger } from '../helpers/capture-logger.ts';
import { useLocalStack } from '../helpers/local-stack.ts';

const run = promisify(execFile);
const SANDBOX_AUTH = `Basic ${Buffer.from('relay.integration:sandbox-password').toString('base64')}`;

/** A VirusTotal v3 IP address report with ten malicious verdicts, on a documentation address. */
function virusTotalIpReport(ip: string, malicious: number) {
  return {
    data: {
      id: ip,
      type: 'ip_address',
      links: { self: `https://www.virustotal.com/api/v3/ip_addresses/${ip}` },
      attributes: {
        as_owner: 'Example Networks',
        asn: 64_500,
        country: 'NL',
        last_analysis_date: 1_767_225_600,
        last_analysis_stats: { malicious, suspicious: 0, harmless: 60, undetected: 20, timeout: 0 },
        last_analysis_results: {},
        reputation: -10,
      },
    },
  };
}

async function tableRecords(
  stack: LocalStack,
  table: string,
  query = '',
): Promise<Record<string, string>[]> {
  const url = `${stack.sandbox!.url}/api/now/table/${table}${query === '' ? '' : `?sysparm_query=${encodeURIComponent(query)}`}`;
  const response = await fetch(url, {
    headers: { authorization: SANDBOX_AUTH, accept: 'application/json' },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { result: Record<string, string>[] }).result;
}

/** Polls until `check` returns a value, for at most ten seconds. */
async function eventually<T>(check: () => Promise<T | undefined>): Promise<T> {
  const until = Date.now() + 10_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function post(stack: LocalStack, config: RelayConfig, source: string, payload: unknown) {
  const dir = await mkdtemp(join(tmpdir(), 'relay-e2e-'));
  const file = join(dir, 'payload.json');
  await writeFile(file, JSON.stringify(payload));
  const result = await send({ config, source, file, url: stack.relayUrl });
  return { status: result.status, body: JSON.parse(result.body) as Record<string, unknown> };
}

/** Returns the local stack's dead letter for a delivery, or undefined while there is none. */
async function deadLetterOf(
  stack: LocalStack,
  deliveryId: unknown,
): Promise<Record<string, unknown> | undefined> {
  const response = await fetch(`${stack.relayUrl}/local/dead-letters`);
  const { deadLetters } = (await response.json()) as { deadLetters: Record<string, unknown>[] };
  return deadLetters.find(
    (dead) => (dead.message as { deliveryId?: string } | undefined)?.deliveryId === deliveryId,
  );
}

describe('local stack', () => {
  // The repository's own configuration, as `npm start` uses it, with mandatory report URLs so
  // that a record without one is rejected by the sandbox as an instance would reject it.
  const shipped = loadConfigFile('relay.config.json');
  const config = parseConfig({
    ...JSON.parse(JSON.stringify(shipped)),
    // A short cool-down, so the circuit that the hibernating instance opens lets probes through in time.
    delivery: { maxReceiveCount: 3, circuitBreaker: { coolDownMs: 100, maxCoolDownMs: 200 } },
    instance: { ...shipped.instance, maxAttempts: 2, requestTimeoutMs: 1_000 },
  });
  const logs = captureLogger('e2e');
  const stack = useLocalStack({ config, retryDelayMs: 20, logger: logs.logger });

  afterEach(() => {
    stack().sandbox!.faults.clear();
  });

  it('delivers a VirusTotal report to the threat lookup table', async () => {
    const answer = await post(
      stack(),
      config,
      'virustotal',
      virusTotalIpReport('198.51.100.23', 12),
    );
    expect(answer.status).toBe(202);
    expect(answer.body.records).toBeGreaterThanOrEqual(1);

    const [lookup] = await eventually(async () => {
      const rows = await tableRecords(stack(), 'sn_ti_lookup_result', 'observable=198.51.100.23');
      return rows.length > 0 ? rows : undefined;
    });
    expect(lookup).toMatchObject({ finding: 'Malicious', source: 'VirusTotal' });
    expect(lookup?.sys_id).toMatch(/^[0-9a-f]{32}$/);
    expect(lookup?.sys_created_on).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    const enrichment = await eventually(async () => {
      const rows = await tableRecords(
        stack(),
        'sn_ti_observable_enrichment_result',
        'observable=198.51.100.23',
      );
      return rows.length > 0 ? rows : undefined;
    });
    expect(enrichment).toHaveLength(1);
  });

  it('delivers Standard Webhooks records signed by the CLI', async () => {
    const result = await send({
      config,
      source: 'standard-webhooks',
      file: 'events/standard-webhooks/records.json',
      url: stack().relayUrl,
    });
    expect(result.status).toBe(202);

    const [lookup] = await eventually(async () => {
      const rows = await tableRecords(
        stack(),
        'sn_ti_lookup_result',
        'observable=login-example.net',
      );
      return rows.length > 0 ? rows : undefined;
    });
    expect(lookup).toMatchObject({ finding: 'Suspicious', source: 'Example Phishing Feed' });
    const [ci] = await eventually(async () => {
      const rows = await tableRecords(
        stack(),
        'sn_sec_cmn_ci_enrichment_result',
        'configuration_item=web-01.example.com',
      );
      return rows.length > 0 ? rows : undefined;
    });
    expect(ci?.source).toBe('Example EDR');
  });

  it('retries through instance faults and still delivers', async () => {
    stack().sandbox!.faults.set({ mode: 'server_error', status: 503, count: 3 });
    const answer = await post(
      stack(),
      config,
      'virustotal',
      virusTotalIpReport('198.51.100.24', 0),
    );
    expect(answer.status).toBe(202);

    const [lookup] = await eventually(async () => {
      const rows = await tableRecords(stack(), 'sn_ti_lookup_result', 'observable=198.51.100.24');
      return rows.length > 0 ? rows : undefined;
    });
    expect(lookup?.finding).not.toBe('Malicious');
  });

  it('dead-letters a record the instance rejects, with the reason', async () => {
    const answer = await post(stack(), config, 'generic', {
      kind: 'enrichment_mapping',
      enrichmentMappingId: 'f'.repeat(32),
      rawData: '{"observable":"198.51.100.25"}',
    });
    expect(answer.status).toBe(202);

    const entry = await eventually(() => deadLetterOf(stack(), answer.body.deliveryId));
    expect(entry).toMatchObject({
      reason: 'unable_to_persist',
      retryable: false,
      lastResponse: { status: 500 },
    });
  });

  it('dead-letters a record after the receives are spent while the instance hibernates', async () => {
    stack().sandbox!.faults.set({ mode: 'html' });
    const answer = await post(
      stack(),
      config,
      'virustotal',
      virusTotalIpReport('198.51.100.26', 1),
    );
    expect(answer.status).toBe(202);

    const entry = await eventually(() => deadLetterOf(stack(), answer.body.deliveryId));
    expect(entry).toMatchObject({ reason: 'retries_exhausted', retryable: true, attempts: 3 });
    expect(String(entry.detail)).toContain('not_json');
  });

  it.each([
    [
      'an unknown source',
      '/webhooks/nope',
      { 'content-type': 'application/json' },
      '{}',
      404,
      'unknown_source',
    ],
    [
      'a missing token',
      '/webhooks/virustotal',
      { 'content-type': 'application/json' },
      '{}',
      401,
      'missing_credentials',
    ],
    [
      'a wrong content type',
      '/webhooks/virustotal',
      { 'content-type': 'text/plain', authorization: 'Bearer local-virustotal-token' },
      '{}',
      415,
      'unsupported_media_type',
    ],
    [
      'broken JSON',
      '/webhooks/virustotal',
      { 'content-type': 'application/json', authorization: 'Bearer local-virustotal-token' },
      '{"data":',
      400,
      'malformed_json',
    ],
    [
      'a payload that is not a report',
      '/webhooks/virustotal',
      { 'content-type': 'application/json', authorization: 'Bearer local-virustotal-token' },
      '{"hello":"world"}',
      422,
      'schema_validation_failed',
    ],
  ])('answers %s with a JSON error', async (_case, path, headers, body, status, code) => {
    const response = await fetch(`${stack().relayUrl}${path}`, { method: 'POST', headers, body });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/json');
    const answer = (await response.json()) as Record<string, unknown>;
    expect(answer.code).toBe(code);
    expect(answer.message).toEqual(expect.any(String));
  });

  it('never logs the source token or the instance password', () => {
    expect(logs.text()).not.toContain('local-virustotal-token');
    expect(logs.text()).not.toContain('sandbox-password');
    expect(logs.text()).not.toContain('local-generic-hmac-secret');
  });
});

describe('secops-relay send', () => {
  const config = loadConfigFile('relay.config.json');
  const stack = useLocalStack({ config, logger: captureLogger('cli').logger });

  it('posts a file as the source and prints the answer', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'relay-cli-'));
    const file = join(dir, 'report.json');
    await writeFile(file, JSON.stringify(virusTotalIpReport('203.0.113.41', 15)));

    const { stdout } = await run(process.execPath, [
      'bin/secops-relay.js',
      'send',
      '--source',
      'virustotal',
      '--url',
      stack().relayUrl,
      file,
    ]);
    expect(stdout).toMatch(/^HTTP 202/);
    expect(stdout).toContain('"deliveryId"');
  });

  it.each([
    [['send'], '--source <id> <file>', 'dlq list'],
    [['dlq', 'list'], 'dlq redrive', 'send --source'],
    [['pull', 'threatfox-recent'], 'pull <job> --once', 'dlq list'],
  ])('prints the usage of %j with --help', async (command, shown, left) => {
    const { stdout } = await run(process.execPath, ['bin/secops-relay.js', ...command, '--help']);

    expect(stdout).toContain(`Usage: secops-relay ${command[0]} [options]`);
    expect(stdout).toContain(shown);
    expect(stdout).not.toContain(left);
  });

  it('exits non-zero and says why when the relay is not running', async () => {
    const failure = await run(process.execPath, [
      'bin/secops-relay.js',
      'send',
      '--source',
      'virustotal',
      '--url',
      'http://127.0.0.1:9',
      'relay.config.json',
    ]).catch((error: { code: number; stderr: string }) => error);
    expect('code' in failure && failure.code).toBe(2);
    expect((failure as { stderr: string }).stderr).toContain('Cannot reach the relay');
  });
});
