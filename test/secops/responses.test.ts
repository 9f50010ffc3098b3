import { describe, expect, it } from 'vitest';
import {
  MAX_ERROR_BODY_BYTES,
  SECOPS_ERROR_RETRYABLE,
  SecOpsError,
  truncateBody,
} from '../../functions/secops/errors.ts';
import {
  interpretCreateResponse,
  matchDocumentedMessage,
  type CreateOutcome,
  type RequestContext,
  withoutSecrets,
} from '../../functions/secops/responses.ts';

const context: RequestContext = {
  kind: 'threat_lookup_result',
  table: 'sn_ti_lookup_result',
  path: '/api/sn_sec_cmn/secops_integration_capabilities/threat_lookup_result',
  simpleResponse: false,
};
const now = Date.parse('2026-03-01T12:00:00Z');

function response(status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const contentType = typeof body === 'string' ? 'text/html' : 'application/json';
  return { status, headers: new Headers({ 'content-type': contentType, ...headers }), body: text };
}

function errorOf(status: number, body: unknown, headers?: Record<string, string>): SecOpsError {
  const result = interpretCreateResponse(response(status, body, headers), context, now);
  if (result.ok) throw new Error(`expected a failure for HTTP ${status}`);
  return result.error;
}

/** Builds a response whose body the transport cut at its limit, keeping `start`. */
function cutResponse(status: number, start: string, contentType = 'application/json') {
  const headers = new Headers({ 'content-type': contentType });
  return { status, headers, body: start, truncated: true };
}

function failureIn(result: CreateOutcome): SecOpsError {
  if (result.ok) throw new Error('expected a failure');
  return result.error;
}

const failure = (message: string) => ({
  status: 'failure',
  error: { message, detail: '' },
});

const DOCUMENTED = [
  [403, 'Insufficient access', 'insufficient_access'],
  [400, 'Invalid post body', 'invalid_post_body'],
  [400, 'No fields supplied', 'no_fields_supplied'],
  [400, 'Mandatory fields missing: observable,finding', 'mandatory_fields_missing'],
  [500, 'Unable to persist record', 'unable_to_persist'],
  [500, 'Unknown error', 'unknown_error'],
] as const;

describe('interpretCreateResponse', () => {
  describe.each([
    ['unwrapped', (message: string) => failure(message)],
    ['wrapped in result', (message: string) => ({ result: failure(message) })],
  ])('documented errors, %s', (_shape, body) => {
    it.each(DOCUMENTED)('maps HTTP %i "%s" to %s', (status, message, code) => {
      const error = errorOf(status, body(message));

      expect(error.code).toBe(code);
      expect(error.status).toBe(status);
      expect(error.retryable).toBe(SECOPS_ERROR_RETRYABLE[code]);
      expect(error.message).toContain(message);
    });
  });

  it('parses the mandatory field list', () => {
    const error = errorOf(400, failure('Mandatory fields missing: observable, finding,source'));

    expect(error.mandatoryFields).toEqual(['observable', 'finding', 'source']);
    expect(error.message).toContain('records.threat_lookup_result.columns');
  });

  it('finds a documented message in error.detail', () => {
    const error = errorOf(400, {
      status: 'failure',
      error: { message: 'Bad request', detail: 'No fields supplied' },
    });

    expect(error.code).toBe('no_fields_supplied');
  });

  it('finds a documented message given as a plain string', () => {
    expect(errorOf(403, { result: { error: 'Insufficient access' } }).code).toBe(
      'insufficient_access',
    );
  });

  it('matches documented messages case-insensitively', () => {
    expect(errorOf(500, failure('unable to persist record')).code).toBe('unable_to_persist');
  });

  describe.each([
    ['unwrapped', { status: 'failure' }],
    ['wrapped in result', { result: { status: 'failure' } }],
  ])('simple_response failures, %s', (_shape, body) => {
    it.each([
      [403, 'insufficient_access', false],
      [400, 'invalid_post_body', false],
      [500, 'unknown_error', true],
    ] as const)('maps HTTP %i to %s', (status, code, retryable) => {
      const error = errorOf(status, body);

      expect(error.code).toBe(code);
      expect(error.retryable).toBe(retryable);
    });
  });

  it.each([
    [
      'unwrapped',
      { status: 'success', table: 'sn_ti_lookup_result', sys_id: 'a1', record: {} },
      'a1',
    ],
    ['wrapped', { result: { status: 'success', sys_id: 'b2' } }, 'b2'],
    [
      'with the id on the record',
      { result: { status: 'success', record: { sys_id: 'c3' } } },
      'c3',
    ],
  ])('reads a success, %s', (_case, body, sysId) => {
    const result = interpretCreateResponse(response(201, body), context, now);

    expect(result).toEqual({ ok: true, sysId });
  });

  it.each([
    ['simple', { status: 'success' }],
    ['simple and wrapped', { result: { status: 'success' } }],
  ])('reads a simple_response success, %s', (_case, body) => {
    const simple = { ...context, simpleResponse: true };

    const result = interpretCreateResponse(response(201, body), simple, now);

    expect(result).toEqual({ ok: true, sysId: undefined });
  });

  it.each([
    ['a success without sys_id', { status: 'success' }, '"status"'],
    ['an empty object', {}, 'an empty object'],
    ['another shape', { result: { data: { id: 'a1' }, status: 'success' } }, '"data", "status"'],
    ['an unknown object', { foo: 'bar' }, '"foo"'],
  ])('accepts %s, naming what is missing', (_case, body, found) => {
    const result = interpretCreateResponse(response(201, body), context, now);

    expect(result).toEqual({ ok: true, sysIdProblem: expect.any(String) });
    const problem = result.ok ? result.sysIdProblem : undefined;
    expect(problem).toContain('the response has no sys_id at the top level or under "record"');
    expect(problem).toContain(found);
  });

  // A 2xx that is neither a failure body nor the hibernation page was stored by the instance,
  // so retrying it would store the record twice.
  it.each([
    [200, 'an empty body', '', 'the response body is empty'],
    [201, 'a JSON string', '"ok"', 'the response body is a string, not an object with a sys_id'],
    [201, 'a JSON array', '[1,2]', 'the response body is an array, not an object with a sys_id'],
    [201, 'a JSON null', 'null', 'the response body is null, not an object with a sys_id'],
    [201, 'text that is not JSON', 'created', 'the response body is not JSON'],
    [
      201,
      'a numeric sys_id',
      '{"sys_id":12345}',
      "the response's sys_id is a number, not a string",
    ],
    [
      201,
      'a numeric sys_id under record',
      '{"status":"success","record":{"sys_id":7}}',
      "the response's sys_id is a number, not a string",
    ],
  ])('accepts HTTP %i with %s as JSON', (status, _case, body, problem) => {
    const json = response(status, body, { 'content-type': 'application/json' });

    const result = interpretCreateResponse(json, context, now);

    expect(result).toEqual({ ok: true, sysIdProblem: problem });
  });

  it('accepts an empty body without content type', () => {
    const empty = { status: 201, headers: new Headers(), body: '' };

    const result = interpretCreateResponse(empty, context, now);

    expect(result).toEqual({ ok: true, sysIdProblem: 'the response body is empty' });
  });

  it('accepts an odd 2xx silently with simple_response', () => {
    const simple = { ...context, simpleResponse: true };
    const json = response(201, '', { 'content-type': 'application/json' });

    expect(interpretCreateResponse(json, simple, now)).toEqual({ ok: true, sysId: undefined });
  });

  it('accepts a cut JSON success without reading it', () => {
    const cut = cutResponse(
      201,
      '{"status":"success","sys_id":"a1"',
      'application/json;charset=UTF-8',
    );

    const result = interpretCreateResponse(cut, context, now);

    expect(result).toEqual({
      ok: true,
      sysIdProblem: 'the response body is larger than 1048576 bytes, so it was not read',
    });
  });

  it('raises not_json for a cut HTML success', () => {
    const cut = cutResponse(200, '<html><body>Your instance is hibernating', 'text/html');

    const error = failureIn(interpretCreateResponse(cut, context, now));

    expect(error.code).toBe('not_json');
  });

  it.each([
    [400, 'Mandatory fields missing: observable', 'mandatory_fields_missing'],
    [500, 'Unable to persist record', 'unable_to_persist'],
    [500, 'Script Evaluation Exception', 'unknown_error'],
  ])('reads the message of a cut HTTP %i body', (status, message, code) => {
    const start = `{"error":{"message":${JSON.stringify(message)},"detail":"xxxx`;

    const error = failureIn(interpretCreateResponse(cutResponse(status, start), context, now));

    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
  });

  it.each([
    ['an HTML page', '<html><body>Your instance is hibernating</body></html>', 'text/html'],
    ['an empty HTML body', '', 'text/html;charset=UTF-8'],
    ['plain text', 'Service hibernating', 'text/plain'],
  ])('raises not_json for a 200 with %s', (_case, body, contentType) => {
    const error = errorOf(200, body, { 'content-type': contentType });

    expect(error.code).toBe('not_json');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('hibernating');
  });

  it.each([
    ['a failure without message', { status: 'failure' }],
    ['an unknown failure message', failure('Something else')],
    ['an error key', { error: 'Something else' }],
  ])('raises unexpected_response for a 2xx with %s', (_case, body) => {
    const error = errorOf(200, body);

    expect(error.code).toBe('unexpected_response');
    expect(error.message).toContain('a failure body without a documented message');
  });

  it('names simpleResponse for a bare 400', () => {
    const simple = { ...context, simpleResponse: true };

    const result = interpretCreateResponse(response(400, { status: 'failure' }), simple, now);

    const error = failureIn(result);
    expect(error.code).toBe('invalid_post_body');
    expect(error.message).toContain(
      'set instance.api.simpleResponse to false so that the instance names the reason',
    );
  });

  it('points to the body for an unknown 400', () => {
    const error = errorOf(400, failure('Field "x" is read-only'));

    expect(error.code).toBe('invalid_post_body');
    expect(error.message).toContain('("Field "x" is read-only")');
    expect(error.message).toContain(
      "the response body (lastResponse) and the instance's system log",
    );
    expect(error.message).not.toContain('simpleResponse');
  });

  it('raises rate_limited with Retry-After', () => {
    const error = errorOf(429, failure('Too many requests'), { 'retry-after': '7' });

    expect(error.code).toBe('rate_limited');
    expect(error.retryAfterMs).toBe(7000);
    expect(error.retryable).toBe(true);
  });

  it('raises rate_limited without Retry-After', () => {
    const error = errorOf(429, '');

    expect(error.code).toBe('rate_limited');
    expect(error.retryAfterMs).toBeUndefined();
  });

  it.each([
    [502, '<html>Bad Gateway</html>'],
    [503, failure('Service Unavailable')],
    [504, ''],
    [500, '<html>Internal Server Error</html>'],
  ])('raises server_error for HTTP %i', (status, body) => {
    const error = errorOf(status, body);

    expect(error.code).toBe('server_error');
    expect(error.retryable).toBe(true);
  });

  it('raises unknown_error for a 500 with an undocumented JSON error', () => {
    expect(errorOf(500, failure('Script Evaluation Exception')).code).toBe('unknown_error');
  });

  it('raises unauthorized for HTTP 401', () => {
    const error = errorOf(401, {
      error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' },
      status: 'failure',
    });

    expect(error.code).toBe('unauthorized');
  });

  it('raises insufficient_access for a 403 with another message', () => {
    expect(errorOf(403, failure('Operation Failed')).code).toBe('insufficient_access');
  });

  it('names the path settings for HTTP 404', () => {
    const error = errorOf(404, failure('Requested URI does not represent any resource'));

    expect(error.code).toBe('unexpected_response');
    expect(error.message).toContain('instance.api.basePath');
    expect(error.message).toContain('records.threat_lookup_result.resource');
  });

  it('raises unexpected_response for a redirect', () => {
    const error = errorOf(302, '', { location: 'https://developer.servicenow.com/' });

    expect(error.code).toBe('unexpected_response');
    expect(error.message).toContain('https://developer.servicenow.com/');
  });

  it('raises timeout for HTTP 408', () => {
    expect(errorOf(408, '').code).toBe('timeout');
  });

  it('keeps at most 2 KB of the body', () => {
    const error = errorOf(503, 'x'.repeat(10_000));

    expect(error.lastResponse?.status).toBe(503);
    expect(error.lastResponse?.body).toHaveLength(MAX_ERROR_BODY_BYTES);
  });
});

describe('matchDocumentedMessage', () => {
  it.each([
    ['Mandatory fields missing: a,b,c', ['a', 'b', 'c']],
    ['Mandatory fields missing:a', ['a']],
    ['Mandatory fields missing', []],
  ])('reads the field list of %j', (message, fields) => {
    expect(matchDocumentedMessage(message)).toEqual({
      code: 'mandatory_fields_missing',
      mandatoryFields: fields,
    });
  });

  it('ignores other text', () => {
    expect(matchDocumentedMessage('Access denied')).toBeUndefined();
  });
});

describe('truncateBody', () => {
  it('keeps a short body whole', () => {
    expect(truncateBody('{"status":"failure"}')).toBe('{"status":"failure"}');
  });

  it('cuts between characters, not inside one', () => {
    const body = 'é'.repeat(MAX_ERROR_BODY_BYTES);

    const cut = truncateBody(body);

    expect(Buffer.byteLength(cut, 'utf8')).toBeLessThanOrEqual(MAX_ERROR_BODY_BYTES);
    expect(cut).toBe('é'.repeat(MAX_ERROR_BODY_BYTES / 2));
  });
});

describe('SecOpsError', () => {
  it('takes retryable from its code', () => {
    expect(new SecOpsError('mandatory_fields_missing', 'x').retryable).toBe(false);
    expect(new SecOpsError('not_json', 'x').retryable).toBe(true);
  });

  it('starts with zero attempts', () => {
    expect(new SecOpsError('timeout', 'x').attempts).toBe(0);
  });
});

describe('withoutSecrets', () => {
  const secret = 'Pw-0009-secret';

  it('redacts the body and every header value', () => {
    const redacted = withoutSecrets(
      response(302, `{"echo":"${secret}"}`, { location: `https://example.org/?p=${secret}` }),
      [secret],
    );

    expect(redacted.body).toBe('{"echo":"[redacted]"}');
    expect(redacted.headers.get('Location')).toBe('https://example.org/?p=[redacted]');
    expect(redacted.headers.get('x-absent')).toBeNull();
  });

  it('redacts a secret that a cut body ends in the middle of', () => {
    const redacted = withoutSecrets(
      cutResponse(400, `{"error":{"message":"bad ${secret.slice(0, 9)}`),
      [secret],
    );

    expect(redacted.body).toBe('{"error":{"message":"bad [redacted]');
  });

  it('keeps the end of a body that was not cut', () => {
    const body = `{"error":{"message":"bad ${secret.slice(0, 9)}"}}`;

    expect(withoutSecrets(response(400, body), [secret]).body).toBe(body);
  });
});
