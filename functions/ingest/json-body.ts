import { IngestError } from './errors.ts';
import type { WebhookRequest } from './request.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Accepts `application/json` and `application/<anything>+json`, with parameters. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json$/i;

/**
 * Checks the content type and parses the body as JSON. Throws 415 for a content type that
 * is not JSON and 400 for bytes that are not UTF-8 JSON.
 */
export function readJsonBody(request: WebhookRequest): unknown {
  const contentType = request.headers['content-type'];
  const [mediaType = '', ...parameters] = (contentType ?? '').split(';').map((part) => part.trim());
  if (!JSON_MEDIA_TYPE.test(mediaType)) {
    throw new IngestError(
      415,
      'unsupported_media_type',
      `Content-Type ${contentType === undefined ? 'is missing' : `"${contentType}" is not JSON`}; ` +
        'send the body as application/json.',
    );
  }
  const charset = parameters
    .map((parameter) => /^charset\s*=\s*"?([^";]+)"?$/i.exec(parameter)?.[1])
    .find((value) => value !== undefined);
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    throw new IngestError(
      415,
      'unsupported_media_type',
      `Charset "${charset}" is not supported; send the body as UTF-8.`,
    );
  }

  if (request.body.length === 0) {
    throw new IngestError(400, 'malformed_json', 'The body is empty; send a JSON document.');
  }
  let text: string;
  try {
    text = utf8.decode(request.body);
  } catch {
    throw new IngestError(400, 'malformed_json', 'The body is not valid UTF-8 text.');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new IngestError(
      400,
      'malformed_json',
      `The body is not valid JSON: ${(error as Error).message}.`,
    );
  }
}
