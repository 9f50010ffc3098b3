import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authHeaders } from '../../cli/sign.ts';
import { sourceAuthSchema } from '../../functions/config/schema.ts';
import { SecretError } from '../../functions/credentials/secret-store.ts';
import { authenticate } from '../../functions/ingest/auth/authenticate.ts';
import { IngestError } from '../../functions/ingest/errors.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
const NOW_SECONDS = String(NOW.getTime() / 1000);
// The key "local-standard-webhooks-secret" in the whsec_ form the specification uses.
const SECRET = 'whsec_bG9jYWwtc3RhbmRhcmQtd2ViaG9va3Mtc2VjcmV0';
const BODY = Buffer.from('{"kind":"threat_lookup_result"}');
const auth = sourceAuthSchema.parse({ type: 'standard-webhooks' });
const secrets = (...values: string[]) => ({ secretName: 'sw-secret', values });

function sign(id: string, timestamp: string, body: Buffer, secret = SECRET): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return createHmac('sha256', key).update(`${id}.${timestamp}.${body.toString()}`).digest('base64');
}

function request(headers: Record<string, string>, body = BODY) {
  return { method: 'POST', sourceId: 'standard-webhooks', headers, body };
}

function rejection(run: () => unknown): IngestError {
  try {
    run();
  } catch (error) {
    if (error instanceof IngestError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('Standard Webhooks authentication', () => {
  it('accepts a valid signature and returns the webhook id', () => {
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': NOW_SECONDS,
      'webhook-signature': `v1,${sign('msg_1', NOW_SECONDS, BODY)}`,
    };
    expect(authenticate(request(headers), auth, secrets(SECRET), NOW)).toEqual({
      senderDeliveryId: 'msg_1',
    });
  });

  it('accepts the headers the CLI builds', () => {
    const headers = authHeaders(auth, SECRET, BODY, NOW);
    expect(authenticate(request(headers), auth, secrets(SECRET), NOW).senderDeliveryId).toBe(
      headers['webhook-id'],
    );
  });

  it('accepts one valid signature among several during rotation', () => {
    const header = `v1,${sign('msg_2', NOW_SECONDS, BODY, 'whsec_b2xkLXNlY3JldC1rZXktYnl0ZXMtMTIz')} v1,${sign('msg_2', NOW_SECONDS, BODY)}`;
    const headers = {
      'webhook-id': 'msg_2',
      'webhook-timestamp': NOW_SECONDS,
      'webhook-signature': header,
    };
    expect(() => authenticate(request(headers), auth, secrets(SECRET), NOW)).not.toThrow();
  });

  it('accepts a secret without the whsec_ prefix', () => {
    const headers = {
      'webhook-id': 'msg_3',
      'webhook-timestamp': NOW_SECONDS,
      'webhook-signature': `v1,${sign('msg_3', NOW_SECONDS, BODY)}`,
    };
    expect(() =>
      authenticate(request(headers), auth, secrets(SECRET.slice('whsec_'.length)), NOW),
    ).not.toThrow();
  });

  it.each([
    [
      'no webhook-id',
      { 'webhook-timestamp': NOW_SECONDS, 'webhook-signature': 'v1,x' },
      'missing_credentials',
    ],
    [
      'no signature',
      { 'webhook-id': 'msg_4', 'webhook-timestamp': NOW_SECONDS },
      'missing_credentials',
    ],
    [
      'no timestamp',
      { 'webhook-id': 'msg_4', 'webhook-signature': `v1,${sign('msg_4', NOW_SECONDS, BODY)}` },
      'invalid_timestamp',
    ],
    [
      'a stale timestamp',
      {
        'webhook-id': 'msg_4',
        'webhook-timestamp': String(Number(NOW_SECONDS) - 301),
        'webhook-signature': `v1,${sign('msg_4', String(Number(NOW_SECONDS) - 301), BODY)}`,
      },
      'invalid_timestamp',
    ],
    [
      'a future timestamp',
      {
        'webhook-id': 'msg_4',
        'webhook-timestamp': String(Number(NOW_SECONDS) + 301),
        'webhook-signature': `v1,${sign('msg_4', String(Number(NOW_SECONDS) + 301), BODY)}`,
      },
      'invalid_timestamp',
    ],
    [
      'another webhook id',
      {
        'webhook-id': 'msg_5',
        'webhook-timestamp': NOW_SECONDS,
        'webhook-signature': `v1,${sign('msg_4', NOW_SECONDS, BODY)}`,
      },
      'invalid_signature',
    ],
    [
      'an unknown version',
      {
        'webhook-id': 'msg_4',
        'webhook-timestamp': NOW_SECONDS,
        'webhook-signature': `v2,${sign('msg_4', NOW_SECONDS, BODY)}`,
      },
      'invalid_signature',
    ],
    [
      'a truncated signature',
      {
        'webhook-id': 'msg_4',
        'webhook-timestamp': NOW_SECONDS,
        'webhook-signature': `v1,${sign('msg_4', NOW_SECONDS, BODY).slice(0, 20)}`,
      },
      'invalid_signature',
    ],
  ])('rejects %s', (_case, headers, code) => {
    const error = rejection(() => authenticate(request(headers), auth, secrets(SECRET), NOW));
    expect(error.status).toBe(401);
    expect(error.code).toBe(code);
  });

  it('rejects a changed body', () => {
    const headers = {
      'webhook-id': 'msg_6',
      'webhook-timestamp': NOW_SECONDS,
      'webhook-signature': `v1,${sign('msg_6', NOW_SECONDS, BODY)}`,
    };
    expect(
      rejection(() => authenticate(request(headers, Buffer.from('{}')), auth, secrets(SECRET), NOW))
        .code,
    ).toBe('invalid_signature');
  });

  it('refuses a secret too short to be a key, naming the secret', () => {
    const headers = {
      'webhook-id': 'msg_7',
      'webhook-timestamp': NOW_SECONDS,
      'webhook-signature': 'v1,AAAA',
    };
    expect(() => authenticate(request(headers), auth, secrets('whsec_'), NOW)).toThrow(SecretError);
    expect(() => authenticate(request(headers), auth, secrets('whsec_'), NOW)).toThrow(/sw-secret/);
  });
});
