import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { RelayConfig } from '../../functions/config/schema.ts';
import { secretKey } from '../../functions/ingest/auth/standard-webhooks.ts';
import { signedHeaders, sourceSecret } from './fixtures.ts';

/** Header values by name; an array sends the header once per value, as a repeated header. */
export type RawHeaders = Record<string, string | string[]>;

/** A request exactly as it goes on the wire. */
export interface RawRequest {
  method?: string;
  path: string;
  headers: RawHeaders;
  body?: Buffer | string;
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One hostile request and the response the relay must give it. */
export interface HostileCase {
  name: string;
  build: (config: RelayConfig, now: Date) => RawRequest;
  status: number;
  code: string;
}

/**
 * Sends a request with node:http rather than fetch, so repeated headers, odd methods and
 * invalid bytes reach the server as written.
 */
export function sendRaw(baseUrl: string, raw: RawRequest): Promise<RawAnswer> {
  const url = new URL(raw.path, baseUrl);
  const body = raw.body === undefined ? undefined : Buffer.from(raw.body);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      {
        method: raw.method ?? 'POST',
        headers: {
          ...raw.headers,
          ...(body !== undefined && { 'content-length': String(body.length) }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** A generic record that the schema accepts; hostile cases change one thing about it. */
export const LOOKUP_RECORD = {
  kind: 'threat_lookup_result',
  observable: '198.51.100.77',
  finding: 'Malicious',
  source: 'Hostile Test Feed',
};

const VALID_BODY = Buffer.from(JSON.stringify(LOOKUP_RECORD));

/** Builds a generic request signed over `body`, with the headers changed as given. */
function generic(config: RelayConfig, body: Buffer | string, headers: RawHeaders = {}): RawRequest {
  const bytes = Buffer.from(body);
  return {
    path: '/webhooks/generic',
    headers: { ...signedHeaders(config, 'generic', bytes), ...headers },
    body: bytes,
  };
}

function hmacHex(secret: string, content: Buffer | string): string {
  return createHmac('sha256', secret).update(content).digest('hex');
}

/** Standard Webhooks headers for `body`, signed with id and timestamp as given. */
function standardWebhook(
  id: string,
  timestamp: string,
  body: Buffer,
  secret = sourceSecret('standard-webhooks'),
): RawHeaders {
  const signature = createHmac('sha256', secretKey(secret))
    .update(`${id}.${timestamp}.${body.toString('utf8')}`)
    .digest('base64');
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${signature}`,
  };
}

const seconds = (now: Date, offset = 0) => String(Math.floor(now.getTime() / 1000) + offset);

/** Nested arrays one level deeper than the configured limit. */
const tooDeep = (config: RelayConfig) =>
  `${'['.repeat(config.ingest.maxJsonDepth + 1)}${']'.repeat(config.ingest.maxJsonDepth + 1)}`;

/**
 * Hostile requests, each with one thing wrong, and the exact response each must get. None of
 * them may queue a record or reach the instance.
 */
export const HOSTILE_CASES: HostileCase[] = [
  // Signatures checked on the exact bytes.
  {
    name: 'HMAC of another body',
    build: (c) => ({
      ...generic(c, VALID_BODY),
      headers: {
        ...generic(c, VALID_BODY).headers,
        'x-signature': `sha256=${hmacHex(sourceSecret('generic'), '{}')}`,
      },
    }),
    status: 401,
    code: 'invalid_signature',
  },
  {
    name: 'HMAC with a wrong secret',
    build: (c) =>
      generic(c, VALID_BODY, { 'x-signature': `sha256=${hmacHex('not-the-secret', VALID_BODY)}` }),
    status: 401,
    code: 'invalid_signature',
  },
  {
    name: 'HMAC over re-serialized JSON',
    build: (c) =>
      generic(c, VALID_BODY, {
        'x-signature': `sha256=${hmacHex(sourceSecret('generic'), JSON.stringify(LOOKUP_RECORD, null, 2))}`,
      }),
    status: 401,
    code: 'invalid_signature',
  },
  {
    name: 'a byte appended after signing',
    build: (c) => ({
      ...generic(c, VALID_BODY),
      body: Buffer.concat([VALID_BODY, Buffer.from(' ')]),
    }),
    status: 401,
    code: 'invalid_signature',
  },
  {
    name: 'a truncated signature',
    build: (c) =>
      generic(c, VALID_BODY, {
        'x-signature': `sha256=${hmacHex(sourceSecret('generic'), VALID_BODY).slice(0, 20)}`,
      }),
    status: 401,
    code: 'invalid_signature',
  },
  {
    name: 'an overlong signature',
    build: (c) =>
      generic(c, VALID_BODY, {
        'x-signature': `sha256=${hmacHex(sourceSecret('generic'), VALID_BODY)}00`,
      }),
    status: 401,
    code: 'invalid_signature',
  },
  {
    name: 'a signature that is not hex or base64',
    build: (c) => generic(c, VALID_BODY, { 'x-signature': `sha256=${'z'.repeat(64)}` }),
    status: 401,
    code: 'invalid_signature',
  },
  {
    name: 'a signature without its prefix',
    build: (c) =>
      generic(c, VALID_BODY, { 'x-signature': hmacHex(sourceSecret('generic'), VALID_BODY) }),
    status: 401,
    code: 'invalid_signature',
  },
  {
    name: 'a repeated signature header with no valid value',
    build: (c) =>
      generic(c, VALID_BODY, { 'x-signature': ['sha256=00', `sha256=${'a'.repeat(64)}`] }),
    status: 401,
    code: 'invalid_signature',
  },
  {
    name: 'no signature header',
    build: () => ({
      path: '/webhooks/generic',
      headers: { 'content-type': 'application/json' },
      body: VALID_BODY,
    }),
    status: 401,
    code: 'missing_credentials',
  },
  {
    name: 'an empty signature header',
    build: (c) => generic(c, VALID_BODY, { 'x-signature': '' }),
    status: 401,
    code: 'missing_credentials',
  },
  {
    name: 'a signature in a 10 kB header',
    build: (c) => generic(c, VALID_BODY, { 'x-signature': `sha256=${'f'.repeat(10_000)}` }),
    status: 401,
    code: 'invalid_signature',
  },

  // Tokens.
  {
    name: 'a wrong token',
    build: () => ({
      path: '/webhooks/virustotal',
      headers: { 'content-type': 'application/json', authorization: 'Bearer hostile-guess' },
      body: '{}',
    }),
    status: 401,
    code: 'invalid_token',
  },
  {
    name: 'the token with a suffix',
    build: () => ({
      path: '/webhooks/virustotal',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${sourceSecret('virustotal')}x`,
      },
      body: '{}',
    }),
    status: 401,
    code: 'invalid_token',
  },
  {
    name: 'the token as Basic credentials',
    build: () => ({
      path: '/webhooks/virustotal',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`x:${sourceSecret('virustotal')}`).toString('base64')}`,
      },
      body: '{}',
    }),
    status: 401,
    code: 'invalid_token',
  },
  {
    name: 'the token sent twice',
    build: () => ({
      path: '/webhooks/virustotal',
      headers: {
        'content-type': 'application/json',
        authorization: [`Bearer ${sourceSecret('virustotal')}`, 'Bearer other'],
      },
      body: '{}',
    }),
    status: 401,
    code: 'invalid_token',
  },
  {
    name: 'no Authorization header',
    build: () => ({
      path: '/webhooks/virustotal',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    }),
    status: 401,
    code: 'missing_credentials',
  },

  // Standard Webhooks timestamps and ids.
  {
    name: 'a timestamp 301 s old',
    build: (_c, now) => ({
      path: '/webhooks/standard-webhooks',
      headers: standardWebhook('msg_old', seconds(now, -301), VALID_BODY),
      body: VALID_BODY,
    }),
    status: 401,
    code: 'invalid_timestamp',
  },
  {
    name: 'a timestamp 301 s ahead',
    build: (_c, now) => ({
      path: '/webhooks/standard-webhooks',
      headers: standardWebhook('msg_future', seconds(now, 301), VALID_BODY),
      body: VALID_BODY,
    }),
    status: 401,
    code: 'invalid_timestamp',
  },
  {
    name: 'a timestamp in milliseconds',
    build: (_c, now) => ({
      path: '/webhooks/standard-webhooks',
      headers: standardWebhook('msg_ms', String(now.getTime()), VALID_BODY),
      body: VALID_BODY,
    }),
    status: 401,
    code: 'invalid_timestamp',
  },
  {
    name: 'an ISO 8601 timestamp',
    build: (_c, now) => ({
      path: '/webhooks/standard-webhooks',
      headers: standardWebhook('msg_iso', now.toISOString(), VALID_BODY),
      body: VALID_BODY,
    }),
    status: 401,
    code: 'invalid_timestamp',
  },
  {
    name: 'a timestamp that is not a number',
    build: () => ({
      path: '/webhooks/standard-webhooks',
      headers: standardWebhook('msg_nan', 'NaN', VALID_BODY),
      body: VALID_BODY,
    }),
    status: 401,
    code: 'invalid_timestamp',
  },
  {
    name: 'no timestamp',
    build: (_c, now) => {
      const headers = standardWebhook('msg_none', seconds(now), VALID_BODY);
      delete headers['webhook-timestamp'];
      return { path: '/webhooks/standard-webhooks', headers, body: VALID_BODY };
    },
    status: 401,
    code: 'invalid_timestamp',
  },
  {
    name: 'no webhook-id',
    build: (_c, now) => {
      const headers = standardWebhook('msg_noid', seconds(now), VALID_BODY);
      delete headers['webhook-id'];
      return { path: '/webhooks/standard-webhooks', headers, body: VALID_BODY };
    },
    status: 401,
    code: 'missing_credentials',
  },
  {
    name: 'a signature made for another webhook-id',
    build: (_c, now) => ({
      path: '/webhooks/standard-webhooks',
      headers: { ...standardWebhook('msg_a', seconds(now), VALID_BODY), 'webhook-id': 'msg_b' },
      body: VALID_BODY,
    }),
    status: 401,
    code: 'invalid_signature',
  },
  {
    name: 'a signature made with an old timestamp',
    build: (_c, now) => ({
      path: '/webhooks/standard-webhooks',
      headers: {
        ...standardWebhook('msg_t', seconds(now, -60), VALID_BODY),
        'webhook-timestamp': seconds(now),
      },
      body: VALID_BODY,
    }),
    status: 401,
    code: 'invalid_signature',
  },
  {
    name: 'only a v2 signature',
    build: (_c, now) => {
      const headers = standardWebhook('msg_v2', seconds(now), VALID_BODY);
      headers['webhook-signature'] = String(headers['webhook-signature']).replace('v1,', 'v2,');
      return { path: '/webhooks/standard-webhooks', headers, body: VALID_BODY };
    },
    status: 401,
    code: 'invalid_signature',
  },
  {
    name: 'a Standard Webhooks signature with a wrong secret',
    build: (_c, now) => ({
      path: '/webhooks/standard-webhooks',
      headers: standardWebhook(
        'msg_w',
        seconds(now),
        VALID_BODY,
        `whsec_${Buffer.from('another-key-of-thirty-two-bytes!').toString('base64')}`,
      ),
      body: VALID_BODY,
    }),
    status: 401,
    code: 'invalid_signature',
  },

  // Size, content type and encoding, all correctly signed so that these checks are reached.
  {
    name: 'a body over ingest.maxBodyBytes',
    build: (c) =>
      generic(c, JSON.stringify({ ...LOOKUP_RECORD, summary: 'a'.repeat(c.ingest.maxBodyBytes) })),
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'text/plain',
    build: (c) => generic(c, VALID_BODY, { 'content-type': 'text/plain' }),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'form data',
    build: (c) => generic(c, VALID_BODY, { 'content-type': 'application/x-www-form-urlencoded' }),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'no content type',
    build: (c) => {
      const request = generic(c, VALID_BODY);
      delete request.headers['content-type'];
      return request;
    },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a repeated Content-Type',
    build: (c) => generic(c, VALID_BODY, { 'content-type': ['application/json', 'text/html'] }),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a Latin-1 charset',
    build: (c) =>
      generic(c, VALID_BODY, { 'content-type': 'application/json; charset=iso-8859-1' }),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a gzip Content-Encoding',
    build: (c) => generic(c, VALID_BODY, { 'content-encoding': 'gzip' }),
    status: 415,
    code: 'unsupported_media_type',
  },

  // JSON built to break parsers.
  {
    name: 'a duplicate key',
    build: (c) =>
      generic(
        c,
        '{"kind":"threat_lookup_result","observable":"198.51.100.77","finding":"Clean","finding":"Malicious","source":"x"}',
      ),
    status: 400,
    code: 'duplicate_json_key',
  },
  {
    name: 'a duplicate key written with escapes',
    build: (c) => generic(c, '{"kind":"threat_lookup_result","\\u006bind":"ci_enrichment"}'),
    status: 400,
    code: 'duplicate_json_key',
  },
  {
    name: 'a __proto__ key',
    build: (c) => generic(c, '{"__proto__":{"isAdmin":true},"kind":"threat_lookup_result"}'),
    status: 400,
    code: 'forbidden_json_key',
  },
  {
    name: 'a constructor.prototype key',
    build: (c) => generic(c, '{"records":[{"constructor":{"prototype":{"polluted":true}}}]}'),
    status: 400,
    code: 'forbidden_json_key',
  },
  {
    name: 'nesting one level over the limit',
    build: (c) => generic(c, tooDeep(c)),
    status: 400,
    code: 'json_too_deep',
  },
  {
    name: 'thirty thousand levels of nesting',
    build: (c) => generic(c, `${'['.repeat(30_000)}${']'.repeat(30_000)}`),
    status: 400,
    code: 'json_too_deep',
  },
  {
    name: 'truncated JSON',
    build: (c) => generic(c, VALID_BODY.subarray(0, 20)),
    status: 400,
    code: 'malformed_json',
  },
  {
    name: 'a number beyond a double',
    build: (c) => generic(c, '{"kind":"threat_lookup_result","confidence":1e400}'),
    status: 400,
    code: 'malformed_json',
  },
  {
    name: 'bytes that are not UTF-8',
    build: (c) => generic(c, Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d])),
    status: 400,
    code: 'malformed_json',
  },
  {
    name: 'UTF-16 JSON',
    build: (c) => generic(c, Buffer.from(JSON.stringify(LOOKUP_RECORD), 'utf16le')),
    status: 400,
    code: 'malformed_json',
  },
  { name: 'an empty body', build: (c) => generic(c, ''), status: 400, code: 'malformed_json' },
  {
    name: 'two JSON documents',
    build: (c) => generic(c, `${VALID_BODY.toString()}${VALID_BODY.toString()}`),
    status: 400,
    code: 'malformed_json',
  },
  {
    name: 'a JSON comment',
    build: (c) => generic(c, `/* x */${VALID_BODY.toString()}`),
    status: 400,
    code: 'malformed_json',
  },
  {
    name: 'valid JSON that fails the schema',
    build: (c) => generic(c, JSON.stringify({ ...LOOKUP_RECORD, finding: 'Evil' })),
    status: 422,
    code: 'schema_validation_failed',
  },
  {
    name: 'a 64-bit integer where a string belongs',
    build: (c) =>
      generic(
        c,
        '{"kind":"threat_lookup_result","observable":18446744073709551615,"finding":"Malicious","source":"x"}',
      ),
    status: 422,
    code: 'schema_validation_failed',
  },

  // Routing.
  {
    name: 'an unknown source',
    build: (c) => ({ ...generic(c, VALID_BODY), path: '/webhooks/nope' }),
    status: 404,
    code: 'unknown_source',
  },
  {
    name: 'the source "__proto__"',
    build: (c) => ({ ...generic(c, VALID_BODY), path: '/webhooks/__proto__' }),
    status: 404,
    code: 'unknown_source',
  },
  {
    name: 'the source "constructor"',
    build: (c) => ({ ...generic(c, VALID_BODY), path: '/webhooks/constructor' }),
    status: 404,
    code: 'unknown_source',
  },
  {
    name: 'an encoded path traversal',
    build: (c) => ({ ...generic(c, VALID_BODY), path: '/webhooks/..%2F..%2Fadmin' }),
    status: 404,
    code: 'unknown_source',
  },
  {
    name: 'a GET',
    build: (c) => ({ ...generic(c, VALID_BODY), method: 'GET' }),
    status: 405,
    code: 'method_not_allowed',
  },
  {
    name: 'a PUT',
    build: (c) => ({ ...generic(c, VALID_BODY), method: 'PUT' }),
    status: 405,
    code: 'method_not_allowed',
  },
];
