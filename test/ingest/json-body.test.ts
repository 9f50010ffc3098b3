import { describe, expect, it } from 'vitest';
import { readJsonBody } from '../../functions/ingest/json-body.ts';
import type { WebhookRequest } from '../../functions/ingest/request.ts';
import { rejection } from './rejection.ts';

function request(
  headers: Record<string, string>,
  body: string | Buffer = '{"a":1}',
  bodyError?: string,
): WebhookRequest {
  return {
    method: 'POST',
    sourceId: 'generic',
    headers,
    body: typeof body === 'string' ? Buffer.from(body) : body,
    ...(bodyError !== undefined && { bodyError }),
  };
}

describe('readJsonBody content types', () => {
  it.each([
    'application/json',
    'Application/JSON',
    'application/json; charset=utf-8',
    'application/json;charset="UTF-8"',
    'application/json; charset=utf8; boundary=x',
    'application/vnd.api+json',
    'application/cloudevents+json; charset=utf-8',
    'application/problem+json',
  ])('accepts %s', (contentType) => {
    expect(readJsonBody(request({ 'content-type': contentType }))).toEqual({ a: 1 });
  });

  it.each([
    ['missing', {}, /missing/],
    ['empty', { 'content-type': ' ' }, /missing/],
    ['text/plain', { 'content-type': 'text/plain' }, /not JSON/],
    ['form data', { 'content-type': 'application/x-www-form-urlencoded' }, /not JSON/],
    ['a json suffix without a plus', { 'content-type': 'application/notjson' }, /not JSON/],
    ['text/json', { 'content-type': 'text/json' }, /not JSON/],
    ['Latin-1', { 'content-type': 'application/json; charset=iso-8859-1' }, /Charset "iso-8859-1"/],
    ['UTF-16', { 'content-type': 'application/json; charset=utf-16' }, /Charset/],
    [
      'two charsets',
      { 'content-type': 'application/json; charset=utf-8; charset=latin1' },
      /more than once/,
    ],
    ['a repeated header', { 'content-type': 'application/json,text/plain' }, /several values/],
    [
      'a repeated header with the same value',
      { 'content-type': 'application/json, application/json' },
      /several values/,
    ],
    [
      'gzip',
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      /Content-Encoding "gzip"/,
    ],
    [
      'a repeated encoding',
      { 'content-type': 'application/json', 'content-encoding': 'identity,gzip' },
      /Content-Encoding/,
    ],
  ])('rejects %s with 415', (_case, headers, message) => {
    const error = rejection(() => readJsonBody(request(headers)));

    expect(error.status).toBe(415);
    expect(error.code).toBe('unsupported_media_type');
    expect(error.message).toMatch(message);
  });

  it('accepts the identity encoding', () => {
    expect(
      readJsonBody(request({ 'content-type': 'application/json', 'content-encoding': 'identity' })),
    ).toEqual({ a: 1 });
  });
});

describe('readJsonBody bodies', () => {
  const json = { 'content-type': 'application/json' };

  it.each([
    ['an empty body', '', 'malformed_json', /empty/],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), 'malformed_json', /UTF-8/],
    ['broken JSON', '{"a": [', 'malformed_json', /not valid JSON: .*at character 7/],
    [
      'a duplicate key',
      '{"data":{"id":1,"id":2}}',
      'duplicate_json_key',
      /"id" appears more than once.* in data/,
    ],
    ['a __proto__ key', '{"__proto__":{"admin":true}}', 'forbidden_json_key', /__proto__/],
    [
      'a constructor.prototype pair',
      '{"a":{"constructor":{"prototype":{}}}}',
      'forbidden_json_key',
      /constructor.* in a/,
    ],
    [
      'deep nesting',
      `${'['.repeat(65)}${']'.repeat(65)}`,
      'json_too_deep',
      /more than 64 levels.*ingest\.maxJsonDepth/,
    ],
  ])('rejects %s with 400', (_case, body, code, message) => {
    const error = rejection(() => readJsonBody(request(json, body)));

    expect(error.status).toBe(400);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('uses the configured depth limit', () => {
    const body = `${'['.repeat(10)}${']'.repeat(10)}`;

    expect(rejection(() => readJsonBody(request(json, body), { maxJsonDepth: 9 })).code).toBe(
      'json_too_deep',
    );
    expect(readJsonBody(request(json, body), { maxJsonDepth: 10 })).toBeDefined();
  });

  it('rejects a body the front end could not decode', () => {
    const error = rejection(() =>
      readJsonBody(
        request(json, '', 'The body is marked as base64-encoded but is not valid base64.'),
      ),
    );

    expect(error.status).toBe(400);
    expect(error.code).toBe('malformed_request');
    expect(error.message).toContain('base64');
  });

  it('accepts a UTF-8 byte order mark', () => {
    expect(
      readJsonBody(
        request(json, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')])),
      ),
    ).toEqual({ a: 1 });
  });

  it('keeps a 64-bit id as its digits', () => {
    expect(readJsonBody(request(json, '{"id":18446744073709551615}'))).toEqual({
      id: '18446744073709551615',
    });
  });
});
