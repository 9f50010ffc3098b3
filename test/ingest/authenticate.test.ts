import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sourceAuthSchema, type SourceAuth } from '../../functions/config/schema.ts';
import { authenticate } from '../../functions/ingest/auth/authenticate.ts';
import { IngestError } from '../../functions/ingest/errors.ts';
import type { WebhookRequest } from '../../functions/ingest/request.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
const BODY = Buffer.from('{"data":{"id":"198.51.100.7","type":"ip_address"}}');

function secretsOf(values: string[]) {
  return { secretName: 'test-source-secret', values };
}

function request(headers: Record<string, string>, body = BODY): WebhookRequest {
  return { method: 'POST', sourceId: 'test', headers, body };
}

function rejection(run: () => void): IngestError {
  try {
    run();
  } catch (error) {
    if (error instanceof IngestError) return error;
    throw error;
  }
  throw new Error('expected authenticate to reject the request');
}

describe('token authentication', () => {
  const bearer = sourceAuthSchema.parse({ type: 'token' });
  const custom = sourceAuthSchema.parse({ type: 'token', header: 'X-Relay-Token' });

  it('accepts a Bearer token in any header case', () => {
    expect(() =>
      authenticate(request({ authorization: 'bearer s3cret' }), bearer, secretsOf(['s3cret']), NOW),
    ).not.toThrow();
  });

  it('accepts any secret during rotation', () => {
    expect(() =>
      authenticate(
        request({ authorization: 'Bearer old' }),
        bearer,
        secretsOf(['new', 'old']),
        NOW,
      ),
    ).not.toThrow();
  });

  it('accepts a raw token in a custom header', () => {
    expect(() =>
      authenticate(request({ 'x-relay-token': 's3cret' }), custom, secretsOf(['s3cret']), NOW),
    ).not.toThrow();
  });

  it.each([
    ['missing header', {}, 'missing_credentials'],
    ['empty header', { authorization: '  ' }, 'missing_credentials'],
    ['wrong scheme', { authorization: 'Basic czNjcmV0' }, 'invalid_token'],
    ['wrong token', { authorization: 'Bearer nope' }, 'invalid_token'],
    ['longer token', { authorization: 'Bearer s3cret-and-more' }, 'invalid_token'],
  ])('rejects %s', (_case, headers, code) => {
    const error = rejection(() =>
      authenticate(request(headers), bearer, secretsOf(['s3cret']), NOW),
    );
    expect(error.status).toBe(401);
    expect(error.code).toBe(code);
    expect(error.message).not.toContain('s3cret');
  });
});

describe('HMAC authentication', () => {
  const secret = 'hmac-secret';
  const hmac = (content: Buffer | string, key = secret, algorithm = 'sha256') =>
    createHmac(algorithm, key).update(content).digest();
  const plain: SourceAuth = sourceAuthSchema.parse({ type: 'hmac', header: 'x-signature' });
  const prefixed = sourceAuthSchema.parse({
    type: 'hmac',
    header: 'x-hub-signature-256',
    prefix: 'sha256=',
  });
  const timed = sourceAuthSchema.parse({
    type: 'hmac',
    header: 'x-signature',
    timestampHeader: 'x-timestamp',
    toleranceSeconds: 300,
  });
  const nowSeconds = NOW.getTime() / 1000;

  it.each([
    ['hex', hmac(BODY).toString('hex')],
    ['upper-case hex', hmac(BODY).toString('hex').toUpperCase()],
    ['base64', hmac(BODY).toString('base64')],
    ['base64url', hmac(BODY).toString('base64url')],
  ])('accepts a %s signature', (_case, signature) => {
    expect(() =>
      authenticate(request({ 'x-signature': signature }), plain, secretsOf([secret]), NOW),
    ).not.toThrow();
  });

  it('accepts a prefixed signature and ignores the prefix case', () => {
    const header = `SHA256=${hmac(BODY).toString('hex')}`;
    expect(() =>
      authenticate(request({ 'x-hub-signature-256': header }), prefixed, secretsOf([secret]), NOW),
    ).not.toThrow();
  });

  it('accepts one valid signature among several', () => {
    const header = `${hmac(BODY, 'retired').toString('hex')}, ${hmac(BODY).toString('hex')}`;
    expect(() =>
      authenticate(request({ 'x-signature': header }), plain, secretsOf([secret]), NOW),
    ).not.toThrow();
  });

  it('accepts a signature made with the previous secret during rotation', () => {
    const header = hmac(BODY, 'previous').toString('hex');
    expect(() =>
      authenticate(request({ 'x-signature': header }), plain, secretsOf([secret, 'previous']), NOW),
    ).not.toThrow();
  });

  it('uses the algorithm configured for the source', () => {
    const sha512 = sourceAuthSchema.parse({ type: 'hmac', algorithm: 'sha512' });
    const header = hmac(BODY, secret, 'sha512').toString('hex');
    expect(() =>
      authenticate(request({ 'x-signature': header }), sha512, secretsOf([secret]), NOW),
    ).not.toThrow();
    const sha256Header = hmac(BODY).toString('hex');
    expect(() =>
      authenticate(request({ 'x-signature': sha256Header }), sha512, secretsOf([secret]), NOW),
    ).toThrow(IngestError);
  });

  it.each([
    ['a signature of another body', hmac('{"data":{}}').toString('hex')],
    ['a signature with another secret', hmac(BODY, 'other').toString('hex')],
    ['a truncated signature', hmac(BODY).toString('hex').slice(0, 40)],
    ['a signature one byte too long', `${hmac(BODY).toString('hex')}00`],
    ['text that is neither hex nor base64', 'not a signature!'],
    ['an empty prefix-only value', 'sha256='],
  ])('rejects %s without throwing anything but a 401', (_case, header) => {
    const error = rejection(() =>
      authenticate(request({ 'x-signature': header }), plain, secretsOf([secret]), NOW),
    );
    expect(error.status).toBe(401);
    expect(error.code).toBe('invalid_signature');
  });

  it('rejects a signature without the configured prefix', () => {
    const header = hmac(BODY).toString('hex');
    const error = rejection(() =>
      authenticate(request({ 'x-hub-signature-256': header }), prefixed, secretsOf([secret]), NOW),
    );
    expect(error.code).toBe('invalid_signature');
    expect(error.message).toContain('sha256=');
  });

  it('signs the timestamp with the body when a timestamp header is configured', () => {
    const timestamp = String(nowSeconds - 30);
    const signature = hmac(`${timestamp}.${BODY.toString()}`).toString('hex');
    const headers = { 'x-signature': signature, 'x-timestamp': timestamp };
    expect(() => authenticate(request(headers), timed, secretsOf([secret]), NOW)).not.toThrow();

    const bodyOnly = { 'x-signature': hmac(BODY).toString('hex'), 'x-timestamp': timestamp };
    expect(
      rejection(() => authenticate(request(bodyOnly), timed, secretsOf([secret]), NOW)).code,
    ).toBe('invalid_signature');
  });

  it.each([
    ['missing', undefined],
    ['not a number', 'yesterday'],
    ['negative', '-5'],
    ['too old', String(nowSeconds - 301)],
    ['too far in the future', String(nowSeconds + 301)],
  ])('rejects a timestamp that is %s', (_case, timestamp) => {
    const headers: Record<string, string> = {
      'x-signature': hmac(`${timestamp}.${BODY.toString()}`).toString('hex'),
    };
    if (timestamp !== undefined) headers['x-timestamp'] = timestamp;
    const error = rejection(() => authenticate(request(headers), timed, secretsOf([secret]), NOW));
    expect(error.code).toBe('invalid_timestamp');
    expect(error.message).toContain('x-timestamp');
  });
});
