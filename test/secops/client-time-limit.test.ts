import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/load.ts';
import {
  CountingSecretStore,
  createTestClient,
  failureOf,
  SECRET_NAME,
  THREAT_LOOKUP,
} from './harness.ts';
import { startScriptedInstance, type ScriptedInstance } from './scripted-instance.ts';

/**
 * The OAuth token request and the POST of one attempt share `instance.requestTimeoutMs`:
 * the POST gets only what the token request left. The delays below leave at least 100 ms
 * between each outcome and the limit, so the tests do not depend on this machine's speed.
 */

const TOKEN_PATH = '/oauth_token.do';

let instance: ScriptedInstance;

beforeEach(async () => {
  instance = await startScriptedInstance();
});

afterEach(async () => {
  await instance.close();
});

function setup(tokenDelayMs: number, postDelayMs: number) {
  instance.reply((request) =>
    request.path === TOKEN_PATH
      ? {
          status: 200,
          delayMs: tokenDelayMs,
          body: {
            access_token: `token-${request.body.length}`,
            token_type: 'Bearer',
            expires_in: 1800,
          },
        }
      : { status: 201, delayMs: postDelayMs, body: { status: 'success', sys_id: 'f'.repeat(32) } },
  );
  const config = parseConfig({ instance: { requestTimeoutMs: 500, maxAttempts: 1 } });
  const store = new CountingSecretStore({
    [SECRET_NAME]: {
      instanceUrl: instance.url,
      auth: 'oauth',
      clientId: 'relay-client',
      clientSecret: 'relay-client-secret',
    },
  });
  const { client, clock } = createTestClient({ config, store });
  return { client, deadline: clock.now() + 60_000 };
}

describe('SecOpsClient OAuth attempt time limit', () => {
  it('times out when token and POST exceed it', async () => {
    const { client, deadline } = setup(300, 300);
    const error = await failureOf(client.create(THREAT_LOOKUP, { deadline }));

    expect(error.code).toBe('timeout');
    expect(instance.requests.map((request) => request.path)).toContain(
      '/api/sn_sec_cmn/secops_integration_capabilities/threat_lookup_result',
    );
  });

  it('succeeds when token and POST fit it', async () => {
    const { client, deadline } = setup(100, 100);
    const result = await client.create(THREAT_LOOKUP, { deadline });

    expect(result.status).toBe(201);
  });
});
