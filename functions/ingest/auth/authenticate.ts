import { createHmac } from 'node:crypto';
import type { SourceAuth } from '../../config/schema.ts';
import { SecretError } from '../../credentials/secret-store.ts';
import { IngestError } from '../errors.ts';
import type { WebhookRequest } from '../request.ts';
import { anyDigestMatches, decodeDigest, equalSecrets } from './compare.ts';
import { secretKey, verifyStandardWebhook } from './standard-webhooks.ts';
import { checkTimestamp } from './timestamp.ts';

const DIGEST_BYTES = { sha1: 20, sha256: 32, sha512: 64 } as const;

/** Minimum HMAC key length accepted from a Standard Webhooks secret, in bytes; the specification requires 24 to 64. */
const MIN_STANDARD_WEBHOOKS_KEY_BYTES = 16;

/** The secrets currently valid for a source (more than one while a secret is rotated). */
export interface SourceSecrets {
  secretName: string;
  values: readonly string[];
}

/** The facts authentication established about a request. */
export interface Authentication {
  /** The sender's own id for the delivery, when the scheme carries one (`webhook-id`). */
  senderDeliveryId?: string;
}

/**
 * Checks that a webhook request comes from the configured sender, on the raw body bytes,
 * before anything parses it. Throws a 401 IngestError that names the missing or wrong
 * header, never the expected value, and a SecretError when a secret is unusable.
 */
export function authenticate(
  request: WebhookRequest,
  auth: SourceAuth,
  secrets: SourceSecrets,
  now: Date,
): Authentication {
  switch (auth.type) {
    case 'none':
      // Webhook routes exist only for sources that authenticate; ingest refuses "none" on them.
      throw new IngestError(401, 'missing_credentials', 'This source does not accept webhooks.');
    case 'token':
      verifyToken(requireHeader(request, auth.header, describe(auth)), auth.header, secrets.values);
      return {};
    case 'hmac':
      verifyHmac(request, auth, secrets.values, now);
      return {};
    case 'standard-webhooks':
      for (const secret of secrets.values) {
        if (secretKey(secret).length < MIN_STANDARD_WEBHOOKS_KEY_BYTES) {
          throw new SecretError(
            'secret_malformed',
            secrets.secretName,
            `Secret "${secrets.secretName}" must hold Standard Webhooks secrets: "whsec_" followed by at least ${MIN_STANDARD_WEBHOOKS_KEY_BYTES} base64-encoded bytes.`,
          );
        }
      }
      return {
        senderDeliveryId: verifyStandardWebhook(
          request,
          secrets.values,
          auth.toleranceSeconds,
          now,
        ),
      };
  }
}

function requireHeader(request: WebhookRequest, header: string, expected: string): string {
  const value = request.headers[header];
  if (value === undefined || value.trim() === '') {
    throw new IngestError(
      401,
      'missing_credentials',
      `Missing the ${header} header; this source requires ${expected}.`,
    );
  }
  return value;
}

function describe(auth: Extract<SourceAuth, { type: 'token' | 'hmac' }>): string {
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
    throw new IngestError(
      401,
      'invalid_token',
      `The token in the ${headerName} header is not valid.`,
    );
  }
}

function verifyHmac(
  request: WebhookRequest,
  auth: Extract<SourceAuth, { type: 'hmac' }>,
  secrets: readonly string[],
  now: Date,
): void {
  const header = requireHeader(request, auth.header, describe(auth));

  let signedPrefix = '';
  if (auth.timestampHeader !== undefined) {
    const timestamp = checkTimestamp(
      request.headers[auth.timestampHeader],
      auth.timestampHeader,
      auth.toleranceSeconds,
      now,
    );
    signedPrefix = `${timestamp}.`;
  }

  // Several signatures may be sent at once (space- or comma-separated), as senders do while
  // they rotate their secret; one valid signature is enough.
  const expectedLength = DIGEST_BYTES[auth.algorithm];
  const presented = header
    .split(/[\s,]+/)
    .filter((part) => part !== '')
    .map((part) => stripPrefix(part, auth.prefix))
    .map((part) => (part === undefined ? undefined : decodeDigest(part, expectedLength)))
    .filter((digest): digest is Buffer => digest !== undefined);

  if (presented.length === 0) {
    throw new IngestError(
      401,
      'invalid_signature',
      `The ${auth.header} header must hold ${auth.prefix === '' ? '' : `"${auth.prefix}" followed by `}` +
        `the hex or base64 HMAC-${auth.algorithm.toUpperCase()} of the raw body.`,
    );
  }

  const valid = secrets.some((secret) =>
    anyDigestMatches(
      presented,
      createHmac(auth.algorithm, secret).update(signedPrefix).update(request.body).digest(),
    ),
  );
  if (!valid) {
    throw new IngestError(
      401,
      'invalid_signature',
      `The signature in the ${auth.header} header does not match the body. ` +
        'Sign the exact bytes sent, with the secret configured for this source.',
    );
  }
}

function stripPrefix(part: string, prefix: string): string | undefined {
  if (prefix === '') return part;
  return part.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase()
    ? part.slice(prefix.length)
    : undefined;
}
