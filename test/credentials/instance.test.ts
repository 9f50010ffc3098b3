import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InstanceCredentialsProvider,
  parseInstanceSecret,
} from '../../functions/credentials/instance.ts';
import { SecretsManagerStore } from '../../functions/credentials/secrets-manager.ts';
import { SecretError, type SecretStore } from '../../functions/credentials/secret-store.ts';
import { parseConfig } from '../../functions/config/load.ts';
import { startFakeSecretsManager, type FakeSecretsManager } from './fake-secrets-manager.ts';

const NAME = 'secops-relay/instance';
const PASSWORD = 'correct-horse-battery-staple';
const production = { allowedHosts: [], localMode: false };

const basic = {
  instanceUrl: 'https://acme.service-now.com/',
  auth: 'basic',
  username: 'relay.integration',
  password: PASSWORD,
};
const oauth = {
  instanceUrl: 'https://acme.service-now.com',
  auth: 'oauth',
  clientId: 'client-id',
  clientSecret: 'client-secret-value',
};

function malformedMessage(secret: Record<string, unknown>, policy = production): string {
  try {
    parseInstanceSecret(NAME, secret, policy);
  } catch (error) {
    expect(error).toBeInstanceOf(SecretError);
    expect((error as SecretError).code).toBe('secret_malformed');
    return (error as SecretError).message;
  }
  throw new Error('parseInstanceSecret accepted the secret');
}

describe('parseInstanceSecret', () => {
  it('reads basic credentials and trims the URL to its origin', () => {
    expect(parseInstanceSecret(NAME, basic, production)).toEqual({
      ...basic,
      instanceUrl: 'https://acme.service-now.com',
    });
  });

  it('reads an OAuth client for client_credentials', () => {
    expect(parseInstanceSecret(NAME, oauth, production)).toEqual(oauth);
  });

  it('reads an OAuth client with a user for the password grant', () => {
    const secret = { ...oauth, username: 'relay.integration', password: PASSWORD };

    expect(parseInstanceSecret(NAME, secret, production)).toEqual(secret);
  });

  it('drops keys it does not use', () => {
    const credentials = parseInstanceSecret(NAME, { ...basic, note: 'rotated' }, production);

    expect(credentials).not.toHaveProperty('note');
  });

  it('names the secret and the missing key', () => {
    const secret: Record<string, unknown> = { ...basic };
    delete secret.password;

    expect(malformedMessage(secret)).toMatch(
      /^secret "secops-relay\/instance" is missing "password"/,
    );
  });

  it.each([
    ['no auth', { ...basic, auth: undefined }, 'is missing "auth"'],
    ['an unknown auth', { ...basic, auth: 'kerberos' }, 'has an invalid "auth"'],
    ['an empty username', { ...basic, username: '' }, 'has "username" that is empty'],
    ['a numeric password', { ...basic, password: 12345 }, 'has "password" that must be a string'],
    ['no clientSecret', { ...oauth, clientSecret: undefined }, 'is missing "clientSecret"'],
    ['a username without password', { ...oauth, username: 'relay' }, 'is missing "password"'],
    ['a password without username', { ...oauth, password: PASSWORD }, 'is missing "username"'],
    ['plain http', { ...basic, instanceUrl: 'http://acme.service-now.com' }, 'plain http'],
    ['another host', { ...basic, instanceUrl: 'https://example.org' }, 'instance.allowedHosts'],
  ])('rejects %s', (_case, secret, problem) => {
    const message = malformedMessage(secret);

    expect(message).toContain(`secret "${NAME}"`);
    expect(message).toContain(problem);
    expect(message).not.toContain(PASSWORD);
    expect(message).not.toContain('kerberos');
  });

  it('lists every missing key', () => {
    const message = malformedMessage({
      auth: 'basic',
      instanceUrl: 'https://acme.service-now.com',
    });

    expect(message).toContain('is missing "username" and is missing "password"');
  });

  it('accepts a loopback http URL in local mode only', () => {
    const secret = { ...basic, instanceUrl: 'http://127.0.0.1:3001' };

    expect(
      parseInstanceSecret(NAME, secret, { allowedHosts: [], localMode: true }).instanceUrl,
    ).toBe('http://127.0.0.1:3001');
    expect(malformedMessage(secret)).toContain('plain http');
  });
});

/** A store whose reads wait until the test releases them, counting each read. */
class GatedStore implements SecretStore {
  reads = 0;
  value: Record<string, unknown> | Error = basic;
  #release: (() => void) | undefined;
  #gate: Promise<void> = Promise.resolve();

  hold(): void {
    this.#gate = new Promise((resolve) => {
      this.#release = resolve;
    });
  }

  release(): void {
    this.#release?.();
  }

  async getJson(): Promise<Record<string, unknown>> {
    this.reads += 1;
    await this.#gate;
    if (this.value instanceof Error) throw this.value;
    return structuredClone(this.value);
  }
}

function provider(store: SecretStore, ttlSeconds: number, clock = { now: 1_000_000 }) {
  return new InstanceCredentialsProvider({
    store,
    secretName: NAME,
    ttlSeconds,
    allowedHosts: [],
    localMode: false,
    now: () => clock.now,
  });
}

describe('InstanceCredentialsProvider', () => {
  it('reads the secret once within the TTL', async () => {
    const store = new GatedStore();
    const credentials = provider(store, 300);

    const first = await credentials.get();
    const second = await credentials.get();

    expect(store.reads).toBe(1);
    expect(second).toBe(first);
  });

  it('reads the secret again after the TTL', async () => {
    const store = new GatedStore();
    const clock = { now: 1_000_000 };
    const credentials = provider(store, 300, clock);

    await credentials.get();
    clock.now += 299_999;
    await credentials.get();
    clock.now += 1;
    await credentials.get();

    expect(store.reads).toBe(2);
  });

  it('reads on every get with a TTL of 0', async () => {
    const store = new GatedStore();
    const credentials = provider(store, 0);

    await credentials.get();
    await credentials.get();

    expect(store.reads).toBe(2);
  });

  it('shares one read among concurrent gets', async () => {
    const store = new GatedStore();
    store.hold();
    const credentials = provider(store, 300);

    const pending = Array.from({ length: 5 }, () => credentials.get());
    store.release();
    const results = await Promise.all(pending);

    expect(store.reads).toBe(1);
    expect(new Set(results).size).toBe(1);
  });

  it('reads again on refresh within the TTL', async () => {
    const store = new GatedStore();
    const credentials = provider(store, 300);
    await credentials.get();
    store.value = { ...basic, password: 'rotated' };

    const refreshed = await credentials.refresh();

    expect(store.reads).toBe(2);
    expect(refreshed).toMatchObject({ password: 'rotated' });
    expect(await credentials.get()).toBe(refreshed);
  });

  it('coalesces concurrent refreshes into one read', async () => {
    const store = new GatedStore();
    const credentials = provider(store, 300);
    const rejected = await credentials.get();
    store.hold();

    const pending = Array.from({ length: 10 }, () => credentials.refresh(rejected));
    store.release();
    await Promise.all(pending);

    expect(store.reads).toBe(2);
  });

  it('skips the read after a newer refresh', async () => {
    const store = new GatedStore();
    const credentials = provider(store, 300);
    const rejected = await credentials.get();
    const newer = await credentials.refresh(rejected);

    const late = await credentials.refresh(rejected);

    expect(late).toBe(newer);
    expect(store.reads).toBe(2);
  });

  it('does not cache a failed read', async () => {
    const store = new GatedStore();
    store.value = new SecretError('secret_unavailable', NAME, 'throttled');
    const credentials = provider(store, 300);

    await expect(credentials.get()).rejects.toMatchObject({ code: 'secret_unavailable' });
    store.value = basic;

    await expect(credentials.get()).resolves.toMatchObject({ username: 'relay.integration' });
    expect(store.reads).toBe(2);
  });

  it('raises secret_malformed for an invalid secret', async () => {
    const store = new GatedStore();
    store.value = { ...basic, password: undefined };
    const credentials = provider(store, 300);

    await expect(credentials.get()).rejects.toMatchObject({
      code: 'secret_malformed',
      message: expect.stringContaining('is missing "password"'),
    });
  });

  it('builds from the configuration', async () => {
    const config = parseConfig({
      instance: { secretName: 'custom/instance', allowedHosts: ['snow.example.org'] },
    });
    const store = new GatedStore();
    store.value = { ...basic, instanceUrl: 'https://snow.example.org' };

    const credentials = InstanceCredentialsProvider.fromConfig(config, store, { localMode: false });

    expect(credentials.secretName).toBe('custom/instance');
    await expect(credentials.get()).resolves.toMatchObject({
      instanceUrl: 'https://snow.example.org',
    });
  });
});

describe('InstanceCredentialsProvider over Secrets Manager', () => {
  // A fake of Secrets Manager's control plane on 127.0.0.1, spoken to by the real SDK client.
  let fake: FakeSecretsManager;

  beforeAll(async () => {
    fake = await startFakeSecretsManager();
  });

  afterAll(async () => {
    await fake.close();
  });

  it('reads once for a burst of refreshes after a rotation', async () => {
    fake.setSecret(NAME, JSON.stringify(basic));
    const store = new SecretsManagerStore({ client: fake.client() });
    const credentials = provider(store, 300);
    const rejected = await credentials.get();
    fake.setSecret(NAME, JSON.stringify({ ...basic, password: 'rotated' }));

    const results = await Promise.all(
      Array.from({ length: 20 }, () => credentials.refresh(rejected)),
    );

    expect(fake.reads().filter((name) => name === NAME)).toHaveLength(2);
    expect(
      results.every((result) => result.auth === 'basic' && result.password === 'rotated'),
    ).toBe(true);
  });
});
