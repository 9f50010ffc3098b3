import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authenticate } from '../../functions/ingest/auth/authenticate.ts';
import { IngestError } from '../../functions/ingest/errors.ts';
import { readJsonBody } from '../../functions/ingest/json-body.ts';
import { fromHttpApiEvent, type WebhookRequest } from '../../functions/ingest/request.ts';

/**
 * An API Gateway text body stays a string instead of becoming a Buffer of its UTF-8 bytes.
 * These tests check that ingest treats every such body as it treats those bytes: the same
 * parsed value or error, the same size and the same signature check.
 */

const headers = { 'content-type': 'application/json' };
const SECRET = 'text-body-secret';
const NOW = new Date('2026-06-01T12:00:00Z');
const HMAC_AUTH = {
  type: 'hmac',
  header: 'x-signature',
  algorithm: 'sha256',
  prefix: '',
  timestampHeader: 'x-timestamp',
  toleranceSeconds: 300,
} as const;

function httpApiEvent(body: string | undefined, isBase64Encoded: boolean) {
  return {
    version: '2.0',
    rawPath: '/webhooks/generic',
    pathParameters: { source: 'generic' },
    headers,
    requestContext: { http: { method: 'POST' }, requestId: 'text-body-request' },
    body,
    isBase64Encoded,
  } as unknown as Parameters<typeof fromHttpApiEvent>[0];
}

function restApiEvent(body: string | undefined, isBase64Encoded: boolean) {
  return {
    httpMethod: 'POST',
    path: '/webhooks/generic',
    pathParameters: { source: 'generic' },
    headers: { 'Content-Type': 'application/json' },
    multiValueHeaders: { 'Content-Type': ['application/json'] },
    requestContext: { requestId: 'text-body-request' },
    body,
    isBase64Encoded,
  } as unknown as Parameters<typeof fromHttpApiEvent>[0];
}

/** What readJsonBody returns or throws, as a string that differs whenever two outcomes differ. */
function outcome(request: WebhookRequest): string {
  try {
    return `value ${JSON.stringify(readJsonBody(request))}`;
  } catch (error) {
    if (!(error instanceof IngestError)) return `threw ${String(error)}`;
    return `error ${error.status} ${error.code} ${error.message}`;
  }
}

/** Checks that a text body reads, measures and signs as its UTF-8 bytes do. */
function expectTextReadsAsBytes(request: WebhookRequest): void {
  if (typeof request.body !== 'string') throw new Error('The request has no text body.');
  const bytes = Buffer.from(request.body, 'utf8');
  const bytesOnly: WebhookRequest = { ...request, body: bytes };

  expect(outcome(request)).toBe(outcome(bytesOnly));
  expect(Buffer.byteLength(request.body)).toBe(bytes.length);
  expect(signature(request)).toBe(signature(bytesOnly));
}

/** Returns the outcome of authenticating a request signed over its bytes with a timestamp. */
function signature(request: WebhookRequest): string {
  const bytes = typeof request.body === 'string' ? Buffer.from(request.body) : request.body;
  const timestamp = String(Math.floor(NOW.getTime() / 1000));
  const digest = createHmac('sha256', SECRET)
    .update(Buffer.concat([Buffer.from(`${timestamp}.`), bytes]))
    .digest('hex');
  const signed: WebhookRequest = {
    ...request,
    headers: { ...request.headers, 'x-signature': digest, 'x-timestamp': timestamp },
  };
  try {
    authenticate(signed, HMAC_AUTH, { secretName: 'text-body', values: [SECRET] }, NOW);
    return 'valid';
  } catch (error) {
    return error instanceof IngestError ? `${error.status} ${error.code}` : String(error);
  }
}

const BODIES = [
  ['an object', '{"records":[]}'],
  ['an empty body', ''],
  ['whitespace only', ' \n'],
  ['a lone high surrogate', '{"a":"\uD800"}'],
  ['a lone surrogate after an escape', '{"a":"\\n\uDC00"}'],
  ['an escaped lone surrogate', '{"a":"\\uD800"}'],
  ['a surrogate pair', '{"a":"\uD83D\uDE00"}'],
  ['a NUL escape', '{"a":"\\u0000"}'],
  ['a BOM inside a string', '{"a":"\uFEFF"}'],
  ['invalid JSON', '{"a":'],
] as const;

describe('API Gateway text body', () => {
  it.each(BODIES)('with %s reads as its bytes in an HTTP API event', (_case, body) => {
    expectTextReadsAsBytes(fromHttpApiEvent(httpApiEvent(body, false)));
  });

  it.each(BODIES)('with %s reads as its bytes in a REST API event', (_case, body) => {
    expectTextReadsAsBytes(fromHttpApiEvent(restApiEvent(body, false)));
  });

  it.each(BODIES)('with %s reads as the same body sent as base64', (_case, body) => {
    const base64 = Buffer.from(body, 'utf8').toString('base64');

    expect(outcome(fromHttpApiEvent(httpApiEvent(body, false)))).toBe(
      outcome(fromHttpApiEvent(httpApiEvent(base64, true))),
    );
  });

  it('reads generated text as its bytes', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc
        .tuple(fc.jsonValue(), fc.constantFrom('\uD800', '\uDC00', '\\n\uD800', '\uFEFF'), fc.nat())
        .map(([value, piece, at]) => {
          const json = JSON.stringify({ value });
          const index = at % (json.length + 1);
          return json.slice(0, index) + piece + json.slice(index);
        }),
    );
    fc.assert(
      fc.property(text, fc.boolean(), (body, rest) => {
        // A BOM at the start is the known difference that the BOM test records.
        fc.pre(!body.startsWith('\uFEFF'));
        const event = rest ? restApiEvent(body, false) : httpApiEvent(body, false);

        expectTextReadsAsBytes(fromHttpApiEvent(event));
      }),
      { numRuns: 500 },
    );
  });

  it('with an object reads as a value', () => {
    expect(outcome(fromHttpApiEvent(httpApiEvent('{"a":1}', false)))).toBe('value {"a":1}');
    expect(outcome(fromHttpApiEvent(restApiEvent('{"a":1}', false)))).toBe('value {"a":1}');
  });

  // TextDecoder drops a leading byte order mark, so a text body must lose it too.
  it('with a BOM reads as its bytes in an HTTP API event', () => {
    expectTextReadsAsBytes(fromHttpApiEvent(httpApiEvent('\uFEFF{"a":1}', false)));
  });

  it('with a BOM reads as its bytes in a REST API event', () => {
    expectTextReadsAsBytes(fromHttpApiEvent(restApiEvent('\uFEFF{"a":1}', false)));
  });

  it('without a body reads as empty', () => {
    for (const event of [httpApiEvent(undefined, false), restApiEvent(undefined, false)]) {
      const request = fromHttpApiEvent(event);

      expect(request.body.length).toBe(0);
      expect(outcome(request)).toContain('error 400 malformed_json The body is empty');
    }
  });

  it('sent as base64 becomes bytes', () => {
    const request = fromHttpApiEvent(
      httpApiEvent(Buffer.from('{"a":"é"}').toString('base64'), true),
    );

    expect(request.body).toEqual(Buffer.from('{"a":"é"}'));
    expect(outcome(request)).toBe('value {"a":"é"}');
  });
});
