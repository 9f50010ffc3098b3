import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretsManagerStore } from '../../functions/credentials/secrets-manager.ts';
import { SecretError } from '../../functions/credentials/secret-store.ts';
import { startFakeSecretsManager, type FakeSecretsManager } from './fake-secrets-manager.ts';

// These tests run the real AWS SDK client and Powertools SecretsProvider against a fake
// of Secrets Manager's control plane on 127.0.0.1; no AWS account is involved.

const SECRET_VALUE = 'p4ssw0rd-that-must-not-leak';

let fake: FakeSecretsManager;

beforeAll(async () => {
  fake = await startFakeSecretsManager();
});

afterAll(async () => {
  await fake.close();
});

async function secretErrorOf(promise: Promise<unknown>): Promise<SecretError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SecretError);
  return error as SecretError;
}

describe('SecretsManagerStore', () => {
  it('reads a JSON SecretString over the JSON protocol', async () => {
    fake.setSecret('relay/a', JSON.stringify({ secret: SECRET_VALUE }));
    const store = new SecretsManagerStore({ client: fake.client() });

    const value = await store.getJson('relay/a');

    expect(value).toEqual({ secret: SECRET_VALUE });
    expect(fake.targets()).toContain('secretsmanager.GetSecretValue');
  });

  it('reads a JSON SecretBinary as UTF-8', async () => {
    fake.setSecret('relay/binary', new TextEncoder().encode('{"secret":"from-binary"}'));
    const store = new SecretsManagerStore({ client: fake.client() });

    expect(await store.getJson('relay/binary')).toEqual({ secret: 'from-binary' });
  });

  it('accepts an endpoint through clientConfig', async () => {
    fake.setSecret('relay/config', '{"k":"v"}');
    const store = new SecretsManagerStore({
      clientConfig: {
        endpoint: fake.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIAFAKEFORTESTS', secretAccessKey: 'fake' },
        maxAttempts: 1,
      },
    });

    expect(await store.getJson('relay/config')).toEqual({ k: 'v' });
  });

  it('serves repeated reads from its cache', async () => {
    fake.setSecret('relay/cached', '{"v":1}');
    const store = new SecretsManagerStore({ client: fake.client(), maxAgeSeconds: 300 });

    await store.getJson('relay/cached');
    fake.setSecret('relay/cached', '{"v":2}');
    const second = await store.getJson('relay/cached');

    expect(second).toEqual({ v: 1 });
    expect(fake.reads().filter((name) => name === 'relay/cached')).toHaveLength(1);
  });

  it('reads again with forceFetch', async () => {
    fake.setSecret('relay/forced', '{"v":1}');
    const store = new SecretsManagerStore({ client: fake.client(), maxAgeSeconds: 300 });

    await store.getJson('relay/forced');
    fake.setSecret('relay/forced', '{"v":2}');
    const second = await store.getJson('relay/forced', { forceFetch: true });

    expect(second).toEqual({ v: 2 });
    expect(fake.reads().filter((name) => name === 'relay/forced')).toHaveLength(2);
  });

  it('raises secret_not_found for a missing secret', async () => {
    const store = new SecretsManagerStore({ client: fake.client() });

    const error = await secretErrorOf(store.getJson('relay/absent'));

    expect(error.code).toBe('secret_not_found');
    expect(error.secretName).toBe('relay/absent');
    expect(error.message).toContain('"relay/absent"');
  });

  it.each([
    ['text that is not JSON', `not json ${SECRET_VALUE}`, 'is not valid JSON'],
    ['a JSON array', `["${SECRET_VALUE}"]`, 'is an array'],
    ['a JSON string', `"${SECRET_VALUE}"`, 'is a string'],
    ['JSON null', 'null', 'is null'],
  ])('raises secret_malformed for %s without its value', async (_case, text, problem) => {
    fake.setSecret('relay/malformed', text);
    const store = new SecretsManagerStore({ client: fake.client(), maxAgeSeconds: 0 });

    const error = await secretErrorOf(store.getJson('relay/malformed'));

    expect(error.code).toBe('secret_malformed');
    expect(error.message).toContain('"relay/malformed"');
    expect(error.message).toContain(problem);
    expect(error.message).not.toContain(SECRET_VALUE);
    expect(String(error.cause ?? '')).not.toContain(SECRET_VALUE);
  });

  it('raises secret_unavailable for access denied', async () => {
    fake.failNext({
      type: 'AccessDeniedException',
      status: 400,
      message: 'User is not authorized to perform secretsmanager:GetSecretValue',
    });
    const store = new SecretsManagerStore({ client: fake.client() });

    const error = await secretErrorOf(store.getJson('relay/denied'));

    expect(error.code).toBe('secret_unavailable');
    expect(error.message).toContain('"relay/denied"');
    expect(error.message).toContain('AccessDeniedException');
  });

  it('raises secret_unavailable for a service error', async () => {
    fake.failNext({ type: 'InternalServiceError', status: 500, message: 'try again' });
    const store = new SecretsManagerStore({ client: fake.client() });

    const error = await secretErrorOf(store.getJson('relay/down'));

    expect(error.code).toBe('secret_unavailable');
  });

  it('raises secret_unavailable when nothing listens', async () => {
    const closed = await startFakeSecretsManager();
    const client = closed.client();
    await closed.close();
    const store = new SecretsManagerStore({ client });

    const error = await secretErrorOf(store.getJson('relay/unreachable'));

    expect(error.code).toBe('secret_unavailable');
    expect(error.message).toContain('ECONNREFUSED');
  });
});
