import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { fromHttpApiEvent, fromRestApiEvent } from '../../functions/ingest/request.ts';

const BYTES = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x31, 0x7d, 0x0a]);

/** An HTTP API (payload 2.0) event as API Gateway builds it: lower-case names, repeats joined by commas. */
function httpApiEvent(overrides: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /webhooks/{source}',
    rawPath: '/webhooks/generic',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    pathParameters: { source: 'generic' },
    isBase64Encoded: false,
    body: '{"a":1}',
    requestContext: {
      http: { method: 'POST' },
      requestId: 'http-1',
    } as APIGatewayProxyEventV2['requestContext'],
    ...overrides,
  };
}

/** A REST API (payload 1.0) event: header case as sent, every value of a repeated header in multiValueHeaders. */
function restApiEvent(overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return {
    resource: '/webhooks/{source}',
    path: '/webhooks/generic',
    httpMethod: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Signature': 'second' },
    multiValueHeaders: { 'Content-Type': ['application/json'], 'X-Signature': ['first', 'second'] },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { source: 'generic' },
    stageVariables: null,
    requestContext: { requestId: 'rest-1' } as APIGatewayProxyEvent['requestContext'],
    body: '{"a":1}',
    isBase64Encoded: false,
    ...overrides,
  };
}

describe('fromHttpApiEvent on HTTP API events', () => {
  it('keeps the headers, source, method and request id', () => {
    const request = fromHttpApiEvent(
      httpApiEvent({ headers: { 'X-Signature': 'a,b', 'content-type': 'application/json' } }),
    );

    expect(request.sourceId).toBe('generic');
    expect(request.method).toBe('POST');
    expect(request.requestId).toBe('http-1');
    expect(request.headers['x-signature']).toBe('a,b');
    expect(request.body.toString()).toBe('{"a":1}');
  });

  it('keeps a text body as a string', () => {
    const request = fromHttpApiEvent(httpApiEvent({ body: '{"a":"\u00e9 \ud800"}' }));

    expect(request.body).toBe('{"a":"\u00e9 \ud800"}');
  });

  it('decodes a base64 body to the exact bytes sent', () => {
    const request = fromHttpApiEvent(
      httpApiEvent({ isBase64Encoded: true, body: BYTES.toString('base64') }),
    );

    expect(request.body).toEqual(BYTES);
    expect(request.bodyError).toBeUndefined();
  });

  it('accepts unpadded base64', () => {
    const request = fromHttpApiEvent(
      httpApiEvent({ isBase64Encoded: true, body: BYTES.toString('base64').replace(/=+$/, '') }),
    );

    expect(request.body).toEqual(BYTES);
  });

  it.each(['not base64!', 'QUJD\nREVG', 'QUJDR', 'QU=JD', 'QUJD-_'])(
    'flags the invalid base64 body %j',
    (body) => {
      const request = fromHttpApiEvent(httpApiEvent({ isBase64Encoded: true, body }));

      expect(request.body.length).toBe(0);
      expect(request.bodyError).toMatch(/not valid base64/);
    },
  );

  it('reads the source from the path when there is no path parameter', () => {
    const request = fromHttpApiEvent(
      httpApiEvent({ pathParameters: undefined, rawPath: '/webhooks/virus%74otal/' }),
    );

    expect(request.sourceId).toBe('virustotal');
  });

  it.each([
    ['a malformed escape', '/webhooks/%E0%A4%A'],
    ['another route', '/admin'],
    ['a nested path', '/webhooks/a/b'],
  ])('names no source for %s', (_case, rawPath) => {
    const request = fromHttpApiEvent(httpApiEvent({ pathParameters: undefined, rawPath }));

    expect(request.sourceId).toBe('');
  });

  it('merges names that differ only in case, in the order given', () => {
    const request = fromHttpApiEvent(
      httpApiEvent({ headers: { 'X-Token': 'one', 'x-token': 'two' } }),
    );

    expect(request.headers['x-token']).toBe('one,two');
  });

  it('keeps headers named like Object members as ordinary entries', () => {
    const request = fromHttpApiEvent(
      httpApiEvent({ headers: { __proto__: 'x', constructor: 'y' } as never }),
    );

    expect(request.headers.constructor).toBe('y');
    expect(Object.getPrototypeOf(request.headers)).toBeNull();
    expect(request.headers.toString).toBeUndefined();
  });

  it.each([
    ['null', null],
    ['a number', 42],
    ['an array', []],
    [
      'an object with the wrong member types',
      { headers: 'x', body: 5, requestContext: 'y', pathParameters: [] },
    ],
  ])('reads %s as an empty request instead of throwing', (_case, event) => {
    const request = fromHttpApiEvent(event as never);

    expect(request).toMatchObject({ method: 'POST', sourceId: '' });
    expect(request.body.length).toBe(0);
    expect(Object.keys(request.headers)).toEqual([]);
  });
});

describe('fromRestApiEvent', () => {
  it('joins every value of a repeated header from multiValueHeaders', () => {
    const request = fromRestApiEvent(restApiEvent());

    expect(request.headers['x-signature']).toBe('first,second');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.requestId).toBe('rest-1');
    expect(request.sourceId).toBe('generic');
  });

  it('reads headers that only the single-value map holds', () => {
    const request = fromRestApiEvent(
      restApiEvent({ multiValueHeaders: {}, headers: { Authorization: 'Bearer t' } }),
    );

    expect(request.headers.authorization).toBe('Bearer t');
  });

  it('decodes a base64 body', () => {
    const request = fromRestApiEvent(
      restApiEvent({ isBase64Encoded: true, body: BYTES.toString('base64') }),
    );

    expect(request.body).toEqual(BYTES);
  });

  it('reads the method and the path', () => {
    const request = fromRestApiEvent(
      restApiEvent({ httpMethod: 'PUT', pathParameters: null, path: '/webhooks/virustotal' }),
    );

    expect(request.method).toBe('PUT');
    expect(request.sourceId).toBe('virustotal');
  });

  it('is what fromHttpApiEvent returns for the same event', () => {
    const event = restApiEvent({ isBase64Encoded: true, body: BYTES.toString('base64') });

    expect(fromHttpApiEvent(event)).toEqual(fromRestApiEvent(event));
  });
});
