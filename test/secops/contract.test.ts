import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/load.ts';
import type { RelayConfig, RelayConfigInput } from '../../functions/config/schema.ts';
import { SecretsManagerStore } from '../../functions/credentials/secrets-manager.ts';
import type { SecretStore } from '../../functions/credentials/secret-store.ts';
import type { RelayRecord } from '../../functions/records/record.ts';
import {
  DEFAULT_ENRICHMENT_MAPPING_ID,
  startSandbox,
  type Sandbox,
  type SandboxFaultInput,
} from '../../sandbox/server.ts';
import {
  startFakeSecretsManager,
  type FakeSecretsManager,
} from '../credentials/fake-secrets-manager.ts';
import {
  CountingSecretStore,
  createTestClient,
  failureOf,
  SECRET_NAME,
  THREAT_LOOKUP,
} from './harness.ts';

// Contract tests: the real client over HTTP against the sandbox instance, which implements
// the SecOps Integration Capabilities API as ServiceNow documents it. Sleeps are skipped
// by a fast clock, so retries cost no waiting; the sandbox counts every request.

const API = '/api/sn_sec_cmn/secops_integration_capabilities';
const LOOKUP_TABLE = 'sn_ti_lookup_result';

const lookup = THREAT_LOOKUP;

const silent = { info: () => undefined, error: () => undefined };

let sandbox: Sandbox | undefined;
let secretsManager: FakeSecretsManager | undefined;

afterEach(async () => {
  await sandbox?.close();
  await secretsManager?.close();
  sandbox = undefined;
  secretsManager = undefined;
});

interface Setup {
  /** Configuration of the client; the sandbox gets `sandboxConfig` or the same. */
  config?: RelayConfigInput;
  sandboxConfig?: RelayConfigInput;
  /** Instance secret keys besides instanceUrl; basic auth of relay.integration by default. */
  secret?: Record<string, unknown>;
  store?: (secret: Record<string, unknown>) => SecretStore;
}

async function setup(options: Setup = {}) {
  const config: RelayConfig = parseConfig({
    ...options.config,
    instance: { requestTimeoutMs: 2000, maxAttempts: 4, ...options.config?.instance },
  });
  const sandboxConfig =
    options.sandboxConfig === undefined ? config : parseConfig(options.sandboxConfig);
  sandbox = await startSandbox({ port: 0, config: sandboxConfig, logger: silent });

  const secret = {
    instanceUrl: sandbox.url,
    ...(options.secret ?? {
      auth: 'basic',
      username: 'relay.integration',
      password: 'sandbox-password',
    }),
  };
  const store = options.store?.(secret) ?? new CountingSecretStore({ [SECRET_NAME]: secret });
  const { client, clock, logger } = createTestClient({ config, store });
  const running = sandbox;
  const create = (record: RelayRecord = lookup, deadline = clock.now() + 60_000) =>
    client.create(record, { deadline, log: { deliveryId: 'contract-1', source: 'virustotal' } });
  const apiRequests = () => running.requests().filter((request) => request.path.startsWith(API));
  const tokenRequests = () =>
    running.requests().filter((request) => request.path === '/oauth_token.do');
  return { sandbox: running, client, create, clock, logger, store, apiRequests, tokenRequests };
}

describe('contract: success', () => {
  it('stores a threat lookup result', async () => {
    const { sandbox, create, apiRequests } = await setup();

    const result = await create();

    const [stored] = sandbox.records(LOOKUP_TABLE);
    expect(result).toMatchObject({ table: LOOKUP_TABLE, attempts: 1, status: 201 });
    expect(result.sysId).toBe(stored?.sys_id);
    expect(stored).toMatchObject({
      observable: '198.51.100.7',
      observable_type: 'IP address (V4)',
      finding: 'Malicious',
      source: 'VirusTotal',
      sys_created_by: 'relay.integration',
    });
    expect(apiRequests()[0]?.query).toEqual({
      ignore_mandatory_fields: 'false',
      include_wrap: 'false',
      simple_response: 'false',
    });
  });

  it('reads the sys_id through include_wrap', async () => {
    const { sandbox, create } = await setup({
      config: { instance: { api: { includeWrap: true } } },
    });

    const result = await create();

    expect(result.sysId).toBe(sandbox.records(LOOKUP_TABLE)[0]?.sys_id);
  });

  it('accepts a simple_response success', async () => {
    const { sandbox, create } = await setup({
      config: { instance: { api: { simpleResponse: true } } },
    });

    const result = await create();

    expect(result.sysId).toBeUndefined();
    expect(sandbox.records(LOOKUP_TABLE)).toHaveLength(1);
  });

  it('creates through an enrichment mapping', async () => {
    const { sandbox, create } = await setup();

    await create({
      kind: 'enrichment_mapping',
      enrichmentMappingId: DEFAULT_ENRICHMENT_MAPPING_ID,
      rawData: JSON.stringify({ observable: 'example.com', source: 'Feed', score: 7 }),
    });

    expect(sandbox.records('sn_ti_observable_enrichment_result')[0]).toMatchObject({
      observable: 'example.com',
      source: 'Feed',
    });
  });
});

describe('contract: documented errors', () => {
  it('maps Insufficient access, without retrying', async () => {
    const { create, apiRequests } = await setup({
      secret: { auth: 'basic', username: 'no.role', password: 'sandbox-password' },
    });

    const error = await failureOf(create());

    expect(error.code).toBe('insufficient_access');
    expect(error.status).toBe(403);
    expect(error.retryable).toBe(false);
    expect(apiRequests()).toHaveLength(1);
  });

  it('maps Invalid post body for an empty object', async () => {
    const noColumns = Object.fromEntries(
      [
        'observable',
        'observableType',
        'finding',
        'source',
        'summary',
        'reportUrl',
        'lookedUpAt',
        'rawPayload',
      ].map((field) => [field, null]),
    );
    const { create, apiRequests } = await setup({
      config: { records: { threat_lookup_result: { columns: noColumns } } },
      sandboxConfig: {},
    });

    const error = await failureOf(create());

    expect(error.code).toBe('invalid_post_body');
    expect(error.retryable).toBe(false);
    expect(apiRequests()).toHaveLength(1);
  });

  it('maps No fields supplied for unknown columns', async () => {
    const { create, apiRequests } = await setup({
      config: {
        records: {
          threat_lookup_result: {
            columns: {
              observable: 'u_observable',
              observableType: 'u_type',
              finding: 'u_finding',
              source: 'u_source',
            },
          },
        },
      },
      sandboxConfig: {},
    });

    const error = await failureOf(create());

    expect(error.code).toBe('no_fields_supplied');
    expect(apiRequests()).toHaveLength(1);
  });

  it('maps Mandatory fields missing with the field list', async () => {
    const { create, apiRequests } = await setup({
      config: { records: { threat_lookup_result: { columns: { finding: null, source: null } } } },
      sandboxConfig: {},
    });

    const error = await failureOf(create());

    expect(error.code).toBe('mandatory_fields_missing');
    expect(error.mandatoryFields).toEqual(['finding', 'source']);
    expect(error.status).toBe(400);
    expect(apiRequests()).toHaveLength(1);
  });

  it('stores without mandatory fields when told to ignore them', async () => {
    const { sandbox, create } = await setup({
      config: {
        instance: { api: { ignoreMandatoryFields: true } },
        records: { threat_lookup_result: { columns: { finding: null, source: null } } },
      },
      sandboxConfig: {},
    });

    await create();

    expect(sandbox.records(LOOKUP_TABLE)).toHaveLength(1);
  });

  it('maps Unable to persist record for an unknown mapping', async () => {
    const { create, apiRequests } = await setup();

    const error = await failureOf(
      create({ kind: 'enrichment_mapping', enrichmentMappingId: 'a'.repeat(32), rawData: '{}' }),
    );

    expect(error.code).toBe('unable_to_persist');
    expect(error.status).toBe(500);
    expect(error.retryable).toBe(false);
    expect(apiRequests()).toHaveLength(1);
  });

  it('maps a 400 under simple_response to invalid_post_body', async () => {
    const { create } = await setup({
      config: {
        instance: { api: { simpleResponse: true } },
        records: { threat_lookup_result: { columns: { finding: null } } },
      },
      sandboxConfig: { instance: { api: { simpleResponse: true } } },
    });

    const error = await failureOf(create());

    expect(error.code).toBe('invalid_post_body');
    expect(error.retryable).toBe(false);
  });

  it('maps a 403 under simple_response to insufficient_access', async () => {
    const { create } = await setup({
      config: { instance: { api: { simpleResponse: true } } },
      secret: { auth: 'basic', username: 'no.role', password: 'sandbox-password' },
    });

    expect((await failureOf(create())).code).toBe('insufficient_access');
  });
});

describe('contract: faults', () => {
  async function withFault(fault: SandboxFaultInput, options: Setup = {}) {
    const context = await setup(options);
    context.sandbox.faults.set(fault);
    return context;
  }

  const statuses = (requests: { status: number | null }[]) =>
    requests.map((request) => request.status);

  it('waits out a rate limit and succeeds', async () => {
    const { create, clock, apiRequests } = await withFault({
      mode: 'rate_limit',
      retryAfterSeconds: 2,
      count: 1,
    });

    const result = await create();

    expect(result.attempts).toBe(2);
    expect(statuses(apiRequests())).toEqual([429, 201]);
    expect(clock.waits).toEqual([2000]);
  });

  it('raises rate_limited when every attempt is limited', async () => {
    const { create, apiRequests } = await withFault({ mode: 'rate_limit', retryAfterSeconds: 1 });

    const error = await failureOf(create());

    expect(error.code).toBe('rate_limited');
    expect(error.retryAfterMs).toBe(1000);
    expect(error.attempts).toBe(4);
    expect(apiRequests()).toHaveLength(4);
  });

  it('retries server errors and succeeds', async () => {
    const { create, apiRequests } = await withFault({
      mode: 'server_error',
      status: 503,
      count: 2,
    });

    const result = await create();

    expect(result.attempts).toBe(3);
    expect(statuses(apiRequests())).toEqual([503, 503, 201]);
  });

  it('raises server_error after maxAttempts', async () => {
    const { create, apiRequests } = await withFault({ mode: 'server_error', status: 502 });

    const error = await failureOf(create());

    expect(error.code).toBe('server_error');
    expect(error.status).toBe(502);
    expect(error.attempts).toBe(4);
    expect(apiRequests()).toHaveLength(4);
  });

  it('times out a slow answer and retries', async () => {
    const { create, apiRequests, logger } = await withFault(
      { mode: 'slow', delayMs: 1000, count: 1 },
      { config: { instance: { requestTimeoutMs: 200 } } },
    );

    const result = await create();

    expect(result.attempts).toBe(2);
    expect(apiRequests()).toHaveLength(2);
    expect(logger.lines[0]?.attributes.code).toBe('timeout');
  });

  it('retries a reset connection', async () => {
    const { create, apiRequests, logger } = await withFault({ mode: 'reset', count: 1 });

    const result = await create();

    expect(result.attempts).toBe(2);
    expect(statuses(apiRequests())).toEqual([null, 201]);
    expect(logger.lines[0]?.attributes.code).toBe('connection_failed');
  });

  it('retries the hibernation page', async () => {
    const { create, apiRequests, logger } = await withFault({ mode: 'html', count: 1 });

    const result = await create();

    expect(result.attempts).toBe(2);
    expect(statuses(apiRequests())).toEqual([200, 201]);
    expect(logger.lines[0]?.attributes.code).toBe('not_json');
  });

  it('raises not_json while the instance hibernates', async () => {
    const { create, apiRequests } = await withFault({ mode: 'html' });

    const error = await failureOf(create());

    expect(error.code).toBe('not_json');
    expect(error.lastResponse?.body).toContain('hibernating');
    expect(apiRequests()).toHaveLength(4);
  });

  it('does not retry a persist failure', async () => {
    const { create, apiRequests } = await withFault({ mode: 'persist_failure' });

    const error = await failureOf(create());

    expect(error.code).toBe('unable_to_persist');
    expect(apiRequests()).toHaveLength(1);
  });

  it('retries Unknown error up to maxAttempts', async () => {
    const { create, apiRequests } = await withFault({ mode: 'unknown_error' });

    const error = await failureOf(create());

    expect(error.code).toBe('unknown_error');
    expect(error.retryable).toBe(true);
    expect(apiRequests()).toHaveLength(4);
  });

  it('maps Unknown error under simple_response', async () => {
    const { create } = await withFault(
      { mode: 'unknown_error' },
      { config: { instance: { maxAttempts: 1, api: { simpleResponse: true } } } },
    );

    expect((await failureOf(create())).code).toBe('unknown_error');
  });

  it('stops retrying at the deadline', async () => {
    const { create, clock, apiRequests } = await withFault(
      { mode: 'server_error', status: 503 },
      { config: { instance: { maxAttempts: 10, requestTimeoutMs: 100 } } },
    );
    // With draws of 0.5 the waits are 100, 200 and 400 ms, so attempts start at about 0,
    // 100 and 300 ms. A fourth would start at 700 ms and could run until 800 ms.
    const deadline = clock.now() + 700;

    const error = await failureOf(create(lookup, deadline));

    expect(error.code).toBe('server_error');
    expect(error.attempts).toBe(3);
    expect(apiRequests()).toHaveLength(3);
  });
});

describe('contract: authentication', () => {
  it('authenticates with OAuth client_credentials', async () => {
    const { sandbox, create, tokenRequests } = await setup({
      secret: { auth: 'oauth', clientId: 'sandbox-client', clientSecret: 'sandbox-client-secret' },
    });

    await create();
    await create();

    expect(tokenRequests()).toHaveLength(1);
    expect(sandbox.records(LOOKUP_TABLE).map((row) => row.sys_created_by)).toEqual([
      'relay.integration',
      'relay.integration',
    ]);
  });

  it('authenticates with the OAuth password grant', async () => {
    const { sandbox, create, tokenRequests } = await setup({
      secret: {
        auth: 'oauth',
        clientId: 'sandbox-client',
        clientSecret: 'sandbox-client-secret',
        username: 'relay.integration',
        password: 'sandbox-password',
      },
    });

    await create();

    expect(tokenRequests()).toHaveLength(1);
    expect(sandbox.records(LOOKUP_TABLE)).toHaveLength(1);
  });

  it('refreshes an expired token once', async () => {
    const { sandbox, create, apiRequests, tokenRequests, store } = await setup({
      secret: { auth: 'oauth', clientId: 'sandbox-client', clientSecret: 'sandbox-client-secret' },
    });
    await create();
    sandbox.expireTokens();

    const result = await create();

    expect(result.attempts).toBe(2);
    expect(tokenRequests()).toHaveLength(2);
    expect(statuses(apiRequests())).toEqual([201, 401, 201]);
    expect((store as CountingSecretStore).reads).toBe(2);
  });

  it('makes one token request for concurrent expiries', async () => {
    const { sandbox, create, tokenRequests } = await setup({
      secret: { auth: 'oauth', clientId: 'sandbox-client', clientSecret: 'sandbox-client-secret' },
    });
    await create();
    sandbox.expireTokens();

    const results = await Promise.all(Array.from({ length: 5 }, () => create()));

    expect(results.every((result) => result.status === 201)).toBe(true);
    expect(tokenRequests()).toHaveLength(2);
  });

  it('raises unauthorized for a wrong OAuth secret', async () => {
    const { create, tokenRequests } = await setup({
      secret: { auth: 'oauth', clientId: 'sandbox-client', clientSecret: 'wrong' },
    });

    const error = await failureOf(create());

    expect(error.code).toBe('unauthorized');
    expect(tokenRequests()).toHaveLength(2);
  });

  it('reads the secret once after a password rotation', async () => {
    // Secrets Manager here is a fake of its control plane on 127.0.0.1, used by the real SDK.
    const fake = await startFakeSecretsManager();
    secretsManager = fake;
    const { sandbox, create, apiRequests } = await setup({
      store: (secret) => {
        fake.setSecret(SECRET_NAME, JSON.stringify(secret));
        return new SecretsManagerStore({ client: fake.client() });
      },
    });
    await create();
    const instanceUrl = sandbox.url;

    sandbox.setPassword('relay.integration', 'rotated-password');
    fake.setSecret(
      SECRET_NAME,
      JSON.stringify({
        instanceUrl,
        auth: 'basic',
        username: 'relay.integration',
        password: 'rotated-password',
      }),
    );
    const results = await Promise.all(Array.from({ length: 5 }, () => create()));

    expect(results.every((result) => result.status === 201)).toBe(true);
    expect(fake.reads().filter((name) => name === SECRET_NAME)).toHaveLength(2);
    expect(sandbox.records(LOOKUP_TABLE)).toHaveLength(6);
    expect(apiRequests().filter((request) => request.status === 401)).toHaveLength(5);
  });

  it('raises unauthorized when the secret still has the old password', async () => {
    const { sandbox, create, apiRequests, store } = await setup();
    await create();
    sandbox.setPassword('relay.integration', 'rotated-password');

    const error = await failureOf(create());

    expect(error.code).toBe('unauthorized');
    expect(error.retryable).toBe(true);
    expect(error.attempts).toBe(2);
    expect(apiRequests()).toHaveLength(3);
    expect((store as CountingSecretStore).reads).toBe(2);
  });
});

function statuses(requests: { status: number | null }[]): (number | null)[] {
  return requests.map((request) => request.status);
}
