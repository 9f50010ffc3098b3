import { IngestError } from './errors.ts';
import { formatPath } from '../shared/json-path.ts';
import { withoutByteOrderMark } from '../shared/json.ts';
import type { WebhookRequest } from './request.ts';
import { parseStrictJson, StrictJsonError } from './strict-json.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Accepts `application/json` and `application/<anything>+json`. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json$/i;

/** Nesting limit used when the caller passes none; the configuration's default is the same. */
export const DEFAULT_MAX_JSON_DEPTH = 64;

export interface JsonBodyOptions {
  /** Deepest nesting of objects and arrays accepted (`ingest.maxJsonDepth`). */
  maxJsonDepth?: number;
}

/**
 * Checks the content type and encoding, then parses the body with `parseStrictJson`.
 * Throws a 415 for a content type that is not JSON (parameters and `+json` suffixes are
 * fine), a charset other than UTF-8, a repeated Content-Type or a compressed body. Throws
 * a 400 for bytes that are not UTF-8 JSON, naming the problem and where it is.
 */
export function readJsonBody(request: WebhookRequest, options: JsonBodyOptions = {}): unknown {
  checkMediaType(request.headers['content-type']);
  checkContentEncoding(request.headers['content-encoding']);
  checkBodyDecoded(request);

  if (request.body.length === 0) {
    throw new IngestError(400, 'malformed_json', 'The body is empty; send a JSON document.');
  }
  let text: string;
  try {
    text = decodeBody(request.body);
  } catch {
    throw new IngestError(
      400,
      'malformed_json',
      'The body is not valid UTF-8 text; send JSON encoded as UTF-8.',
    );
  }

  try {
    return parseStrictJson(text, { maxDepth: options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH });
  } catch (error) {
    if (!(error instanceof StrictJsonError)) throw error;
    const where = error.path.length === 0 ? '' : ` in ${truncate(formatPath(error.path), 120)}`;
    const lead =
      error.code === 'malformed_json' ? 'The body is not valid JSON' : 'The JSON body is rejected';
    throw new IngestError(400, error.code, `${lead}: ${error.message}${where}.`, { cause: error });
  }
}

/**
 * Throws a 400 `malformed_request` when the front end's body could not be decoded, such as
 * base64 that is not valid. Ingest runs it before authentication, because the body is then
 * empty, and a signature over the bytes sent would fail as if the secret were wrong. It
 * reads only the request, never the secret.
 */
export function checkBodyDecoded(request: WebhookRequest): void {
  if (request.bodyError !== undefined) {
    throw new IngestError(
      400,
      'malformed_request',
      `${request.bodyError} Send the raw JSON bytes.`,
    );
  }
}

/**
 * Returns the body as TextDecoder would decode its UTF-8 bytes. A text body gets U+FFFD
 * for each lone surrogate, as its UTF-8 encoding does, and loses a leading byte order mark.
 * Throws for bytes that are not UTF-8.
 */
function decodeBody(body: string | Buffer): string {
  if (typeof body === 'string') return withoutByteOrderMark(body.toWellFormed());
  return utf8.decode(body);
}

function checkMediaType(contentType: string | undefined): void {
  if (contentType === undefined || contentType.trim() === '') {
    throw new IngestError(
      415,
      'unsupported_media_type',
      'The Content-Type header is missing; send the body as application/json.',
    );
  }
  // A comma outside quotes means the header came more than once (API Gateway joins repeats
  // with ","), and the relay will not guess which of the values describes the body.
  if (contentType.replace(/"[^"]*"/g, '').includes(',')) {
    throw new IngestError(
      415,
      'unsupported_media_type',
      `The Content-Type header holds several values (${JSON.stringify(contentType)}); send it once, as application/json.`,
    );
  }

  const [mediaType = '', ...parameters] = contentType.split(';').map((part) => part.trim());
  if (!JSON_MEDIA_TYPE.test(mediaType)) {
    throw new IngestError(
      415,
      'unsupported_media_type',
      `Content-Type ${JSON.stringify(contentType)} is not JSON; send the body as application/json.`,
    );
  }

  const charsets = parameters
    .map((parameter) => /^charset\s*=\s*"?([^";]*)"?$/i.exec(parameter)?.[1])
    .filter((value): value is string => value !== undefined);
  if (charsets.length > 1) {
    throw new IngestError(
      415,
      'unsupported_media_type',
      'The Content-Type header names the charset more than once; name it once, as charset=utf-8.',
    );
  }
  const [charset] = charsets;
  if (charset !== undefined && !/^utf-?8$/i.test(charset.trim())) {
    throw new IngestError(
      415,
      'unsupported_media_type',
      `Charset ${JSON.stringify(charset)} is not supported; send the body as UTF-8.`,
    );
  }
}

function checkContentEncoding(encoding: string | undefined): void {
  if (encoding === undefined) return;
  if (encoding.trim() === '' || encoding.trim().toLowerCase() === 'identity') return;
  throw new IngestError(
    415,
    'unsupported_media_type',
    `Content-Encoding ${JSON.stringify(encoding)} is not supported; send the body uncompressed.`,
  );
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}
