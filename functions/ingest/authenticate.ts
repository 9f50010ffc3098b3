import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { SourceAuth } from '../config/schema.ts';
import { IngestError } from './errors.ts';
import type { WebhookRequest } from './request.ts';

const DIGEST_BYTES = { sha1: 20, sha256: 32, sha512: 64 } as const;

/**
 * Checks that a webhook request comes from the configured sender, on the raw body bytes,
 * before anything parses it. `secrets` holds every secret currently valid for the source
 * (more than one while a secret is being rotated). Throws a 401 IngestError that says
 * which header is missing or wrong, never what the expected value was.
 */
export function authenticate(
  request: WebhookRequest,
  auth: SourceAuth,
  secrets: readonly string[],
  now: Date,
): void {
  const header = request.headers[auth.header];
  if (header === undefined || header.trim() === '') {
    throw new IngestError(
      401,
      'missing_credentials',
      `Missing the ${auth.header} header; this source requires ${describe(auth)}.`,
    );
  }

  if (auth.type === 'token') {
    verifyToken(header, auth.header, secrets);
    return;
  }

  let signedContent = request.body;
  if (auth.timestampHeader !== undefined) {
    const timestamp = readTimestamp(request.headers[auth.timestampHeader], auth.timestampHeader);
    const skewSeconds = Math.abs(now.getTime() / 1000 - timestamp);
    if (skewSeconds > auth.toleranceSeconds) {
      throw new IngestError(
        401,
        'invalid_timestamp',
        `The ${auth.timestampHeader} header is ${Math.round(skewSeconds)} s away from the relay's clock; ` +
          `the tolerance is ${auth.toleranceSeconds} s. Sign each delivery when it is sent.`,
      );
    }
    signedContent = Buffer.concat([Buffer.from(`${timestamp}.`), request.body]);
  }
  verifySignature(header, auth, signedContent, secrets);
}

function describe(auth: SourceAuth): string {
  if (auth.type === 'token') {
    return auth.header === 'authorization' ? 'a "Bearer <token>" value' : 'the shared token';
  }
  return `an HMAC-${auth.algorithm.toUpperCase()} signature of the raw body`;
}

function verifyToken(header: string, headerName: string, secrets: readonly string[]): void {
  let token = header.trim();
  if (headerName === 'authorization') {
    const match = /^Bearer\s+(\S+)$/i.exec(token);
    if (match?.[1] === undefined) {
      throw new IngestError(
        401,
        'invalid_token',
        'The Authorization header must have the form "Bearer <token>".',
      );
    }
    token = match[1];
  }
  if (!secrets.some((secret) => equalSecrets(token, secret))) {
    throw new IngestError(401, 'invalid_token', `The token in the ${headerName} header is not valid.`);
  }
}

/**
 * Compares two strings in time that depends on neither content nor length: both are
 * hashed to 32 bytes first, so timingSafeEqual never sees buffers of different lengths.
 */
function equalSecrets(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function readTimestamp(value: string | undefined, headerName: string): number {
  if (value === undefined || !/^\d{1,13}$/.test(value.trim())) {
    throw new IngestError(
      401,
      'invalid_timestamp',
      `The ${headerName} header must hold the send time as Unix seconds.`,
    );
  }
  return Number(value.trim());
}

function verifySignature(
  header: string,
  auth: Extract<SourceAuth, { type: 'hmac' }>,
  signedContent: Buffer,
  secrets: readonly string[],
): void {
  const expectedLength = DIGEST_BYTES[auth.algorithm];
  // Several signatures may be sent at once (space- or comma-separated), as senders do while
  // they rotate their secret; one valid signature is enough.
  const presented = header
    .split(/[\s,]+/)
    .filter((part) => part !== '')
    .map((part) => decodeSignature(part, auth.prefix, expectedLength))
    .filter((digest): digest is Buffer => digest !== undefined);

  if (presented.length === 0) {
    throw new IngestError(
      401,
      'invalid_signature',
      `The ${auth.header} header must hold ${auth.prefix === '' ? '' : `"${auth.prefix}" followed by `}` +
        `the hex or base64 HMAC-${auth.algorithm.toUpperCase()} of the raw body.`,
    );
  }

  const valid = secrets.some((secret) => {
    const expected = createHmac(auth.algorithm, secret).update(signedContent).digest();
    return presented.some((digest) => timingSafeEqual(digest, expected));
  });
  if (!valid) {
    throw new IngestError(
      401,
      'invalid_signature',
      `The signature in the ${auth.header} header does not match the body. ` +
        'Sign the exact bytes sent, with the secret configured for this source.',
    );
  }
}

/** Decodes one presented signature to bytes, or undefined when it cannot be a digest of this algorithm. */
function decodeSignature(part: string, prefix: string, length: number): Buffer | undefined {
  let text = part;
  if (prefix !== '') {
    if (text.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) return undefined;
    text = text.slice(prefix.length);
  }
  if (text.length === length * 2 && /^[0-9a-f]+$/i.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    const bytes = Buffer.from(text, 'base64');
    if (bytes.length === length) return bytes;
  }
  return undefined;
}
