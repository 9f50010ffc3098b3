import { describe, expect, it } from 'vitest';
import { LocalSecretStore } from '../../functions/credentials/local.ts';
import { SecretError } from '../../functions/credentials/secret-store.ts';

describe('LocalSecretStore', () => {
  it('returns the configured value', async () => {
    const store = new LocalSecretStore({ 'relay/a': { secret: 'local' } });

    expect(await store.getJson('relay/a')).toEqual({ secret: 'local' });
  });

  it('returns a copy that no caller can change, at any depth', async () => {
    const configured = { secret: 'local', nested: { list: ['a'] } };
    const store = new LocalSecretStore({ 'relay/a': configured });

    const first = await store.getJson('relay/a');
    expect(() => {
      first.secret = 'changed by a caller';
    }).toThrow(TypeError);
    expect(() => (first.nested as { list: string[] }).list.push('b')).toThrow(TypeError);

    expect(await store.getJson('relay/a')).toEqual({ secret: 'local', nested: { list: ['a'] } });
    expect(Object.isFrozen(configured)).toBe(false);
  });

  it('reads a value that replaced the earlier one', async () => {
    const secrets: Record<string, unknown> = { 'relay/a': { secret: 'first' } };
    const store = new LocalSecretStore(secrets);
    await store.getJson('relay/a');

    secrets['relay/a'] = { secret: 'rotated' };

    expect(await store.getJson('relay/a')).toEqual({ secret: 'rotated' });
  });

  it('raises secret_not_found naming local.secrets', async () => {
    const store = new LocalSecretStore({});

    const error = await store.getJson('relay/absent').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(SecretError);
    expect((error as SecretError).code).toBe('secret_not_found');
    expect((error as SecretError).message).toContain('local.secrets');
  });

  it('does not treat inherited keys as secrets', async () => {
    const store = new LocalSecretStore({});

    const error = await store.getJson('constructor').catch((caught: unknown) => caught);

    expect((error as SecretError).code).toBe('secret_not_found');
  });

  it('raises secret_malformed for a value that is not an object', async () => {
    const store = new LocalSecretStore({ 'relay/text': 'hunter2' });

    const error = await store.getJson('relay/text').catch((caught: unknown) => caught);

    expect((error as SecretError).code).toBe('secret_malformed');
    expect((error as SecretError).message).not.toContain('hunter2');
  });
});
