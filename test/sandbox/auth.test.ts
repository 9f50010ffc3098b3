import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/server.ts';
import {
  basicAuth,
  call,
  CLIENT,
  PASSWORD,
  postRecord,
  requestPasswordToken,
  requestToken,
  startTestSandbox,
  THREAT_LOOKUP,
} from './helpers.ts';

const NOT_AUTHENTICATED = {
  error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' },
  status: 'failure',
};

describe('sandbox authentication', () => {
  let sandbox: Sandbox;
  let clock: Date;

  beforeEach(async () => {
    clock = new Date('2025-01-01T00:00:00Z');
    ({ sandbox } = await startTestSandbox({ now: () => clock }));
  });

  afterEach(async () => {
    await sandbox.close();
  });

  describe('basic auth', () => {
    it.each([
      ['no Authorization header', null],
      ['a wrong password', basicAuth('relay.integration', 'wrong')],
      ['an unknown user', basicAuth('nobody', PASSWORD)],
      ['a header without a colon', `Basic ${Buffer.from('relay.integration').toString('base64')}`],
      ['an unsupported scheme', 'Digest username="relay.integration"'],
    ])('rejects %s with 401', async (_case, authorization) => {
      const result = await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP, {
        authorization,
      });

      expect(result.status).toBe(401);
      expect(result.json).toEqual(NOT_AUTHENTICATED);
      expect(sandbox.records('sn_ti_lookup_result')).toHaveLength(0);
    });

    it('answers 403 Insufficient access without the role', async () => {
      const result = await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP, {
        authorization: basicAuth('no.role'),
      });

      expect(result.status).toBe(403);
      expect(result.json.status).toBe('failure');
      expect(result.json.error.message).toBe('Insufficient access');
      expect(result.json.error.detail).toContain('sn_sec_cmn.api_write');
    });

    it('checks the role before the body', async () => {
      const result = await postRecord(sandbox, 'threat_lookup_result', '{}', {
        authorization: basicAuth('no.role'),
      });

      expect(result.status).toBe(403);
    });

    it('accepts a password that contains a colon', async () => {
      await sandbox.close();
      ({ sandbox } = await startTestSandbox({
        users: [{ username: 'svc', password: 'a:b:c', roles: ['sn_sec_cmn.api_write'] }],
      }));

      const result = await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP, {
        authorization: basicAuth('svc', 'a:b:c'),
      });

      expect(result.status).toBe(201);
      expect(sandbox.records('sn_ti_lookup_result')[0]?.sys_created_by).toBe('svc');
    });
  });

  describe('setPassword', () => {
    it('rejects the old password and accepts the new one', async () => {
      sandbox.setPassword('relay.integration', 'rotated-password');

      const old = await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP);
      const rotated = await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP, {
        authorization: basicAuth('relay.integration', 'rotated-password'),
      });

      expect(old.status).toBe(401);
      expect(rotated.status).toBe(201);
    });

    it('throws for an unknown user', () => {
      expect(() => sandbox.setPassword('nobody', 'x')).toThrow(/nobody/);
    });
  });

  describe('OAuth', () => {
    it('issues a token for the password grant', async () => {
      const token = await requestPasswordToken(sandbox);

      expect(token.status).toBe(200);
      expect(token.json.token_type).toBe('Bearer');
      expect(token.json.expires_in).toBe(1800);
      expect(typeof token.json.access_token).toBe('string');
      expect(typeof token.json.scope).toBe('string');
      expect(token.headers.get('cache-control')).toBe('no-store');

      const result = await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP, {
        authorization: `Bearer ${token.json.access_token}`,
      });
      expect(result.status).toBe(201);
      expect(sandbox.records('sn_ti_lookup_result')[0]?.sys_created_by).toBe('relay.integration');
    });

    it('issues a token for client_credentials acting as relay.integration', async () => {
      const token = await requestToken(sandbox, { grant_type: 'client_credentials', ...CLIENT });

      const result = await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP, {
        authorization: `Bearer ${token.json.access_token}`,
      });

      expect(token.status).toBe(200);
      expect(result.status).toBe(201);
      expect(sandbox.records('sn_ti_lookup_result')[0]?.sys_created_by).toBe('relay.integration');
    });

    it('accepts client credentials in a Basic header', async () => {
      const token = await call(sandbox, '/oauth_token.do', {
        method: 'POST',
        authorization: basicAuth('sandbox-client', 'sandbox-client-secret'),
        body: 'grant_type=client_credentials',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });

      expect(token.status).toBe(200);
    });

    it('gives a token of a user without the role 403 on the API', async () => {
      const token = await requestPasswordToken(sandbox, 'no.role');

      const result = await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP, {
        authorization: `Bearer ${token.json.access_token}`,
      });

      expect(token.status).toBe(200);
      expect(result.status).toBe(403);
    });

    it.each([
      ['an unknown client', { ...CLIENT, client_id: 'other' }, 'relay.integration', PASSWORD],
      [
        'a wrong client secret',
        { ...CLIENT, client_secret: 'wrong' },
        'relay.integration',
        PASSWORD,
      ],
      ['an unknown user', CLIENT, 'nobody', PASSWORD],
      ['a wrong password', CLIENT, 'relay.integration', 'wrong'],
    ])('answers 401 JSON for %s', async (_case, client, username, password) => {
      const token = await requestToken(sandbox, {
        grant_type: 'password',
        ...client,
        username,
        password,
      });

      expect(token.status).toBe(401);
      expect(token.json.error).toBe('server_error');
      expect(token.json.error_description).toBe('access_denied');
      expect(token.json).not.toHaveProperty('access_token');
    });

    it('answers 401 for client_credentials with a wrong secret', async () => {
      const token = await requestToken(sandbox, {
        grant_type: 'client_credentials',
        ...CLIENT,
        client_secret: 'wrong',
      });

      expect(token.status).toBe(401);
    });

    it.each([
      [
        'an unsupported grant type',
        { grant_type: 'authorization_code', ...CLIENT },
        'unsupported_grant_type',
      ],
      ['a missing grant type', { ...CLIENT }, 'unsupported_grant_type'],
      ['missing client credentials', { grant_type: 'client_credentials' }, 'invalid_request'],
      [
        'a password grant without password',
        { grant_type: 'password', ...CLIENT, username: 'relay.integration' },
        'invalid_request',
      ],
    ])('answers 400 for %s', async (_case, form, error) => {
      const token = await requestToken(sandbox, form);

      expect(token.status).toBe(400);
      expect(token.json.error).toBe(error);
    });

    it('answers 400 for a JSON body', async () => {
      const token = await call(sandbox, '/oauth_token.do', {
        authorization: null,
        body: { grant_type: 'client_credentials', ...CLIENT },
      });

      expect(token.status).toBe(400);
      expect(token.json.error_description).toContain('application/x-www-form-urlencoded');
    });

    it('answers 405 to GET', async () => {
      const result = await call(sandbox, '/oauth_token.do', { authorization: null });

      expect(result.status).toBe(405);
      expect(result.headers.get('allow')).toBe('POST');
    });

    it('rejects an unknown bearer token with 401', async () => {
      const result = await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP, {
        authorization: 'Bearer not-a-token',
      });

      expect(result.status).toBe(401);
      expect(result.json).toEqual(NOT_AUTHENTICATED);
    });

    it('rejects tokens after expireTokens until a new one is issued', async () => {
      const first = await requestToken(sandbox, { grant_type: 'client_credentials', ...CLIENT });
      sandbox.expireTokens();

      const expired = await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP, {
        authorization: `Bearer ${first.json.access_token}`,
      });
      const second = await requestToken(sandbox, { grant_type: 'client_credentials', ...CLIENT });
      const renewed = await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP, {
        authorization: `Bearer ${second.json.access_token}`,
      });

      expect(expired.status).toBe(401);
      expect(expired.json).toEqual(NOT_AUTHENTICATED);
      expect(renewed.status).toBe(201);
    });

    it('expires tokens after their lifetime on the sandbox clock', async () => {
      await sandbox.close();
      ({ sandbox } = await startTestSandbox({ now: () => clock, tokenLifetimeSeconds: 60 }));
      const token = await requestToken(sandbox, { grant_type: 'client_credentials', ...CLIENT });
      const authorization = `Bearer ${token.json.access_token}`;

      clock = new Date(clock.getTime() + 59_000);
      const before = await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP, {
        authorization,
      });
      clock = new Date(clock.getTime() + 1_000);
      const after = await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP, {
        authorization,
      });

      expect(token.json.expires_in).toBe(60);
      expect(before.status).toBe(201);
      expect(after.status).toBe(401);
    });

    it('keeps tokens valid after a password change', async () => {
      const token = await requestToken(sandbox, { grant_type: 'client_credentials', ...CLIENT });
      sandbox.setPassword('relay.integration', 'rotated-password');

      const result = await postRecord(sandbox, 'threat_lookup_result', THREAT_LOOKUP, {
        authorization: `Bearer ${token.json.access_token}`,
      });

      expect(result.status).toBe(201);
    });
  });
});
