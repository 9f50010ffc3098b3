import { createHmac } from 'node:crypto';
import { IngestError } from '../errors.ts';
import type { WebhookRequest } from '../request.ts';
import { anyDigestMatches, decodeDigest } from './compare.ts';
import { checkTimestamp } from './timestamp.ts';

const SHA256_BYTES = 32;
const VERSION_TAG = /^v\d+$/;

/**
 * Verifies a Standard Webhooks delivery (standardwebhooks.com, spec v1): the signature is
 * HMAC-SHA256 over `<webhook-id>.<webhook-timestamp>.<body>`, base64-encoded, sent as
 * `v1,<signature>`; several space-separated signatures may be sent during a rotation.
 * The secret is base64, optionally prefixed `whsec_`. This uses node:crypto rather than
 * the reference `standardwebhooks` package, which hashes in JavaScript.
 * Returns the webhook id, which identifies the delivery for replay detection.
 */
export function verifyStandardWebhook(
  request: WebhookRequest,
  secrets: readonly string[],
  toleranceSeconds: number,
  now: Date,
): string {
  const id = request.headers['webhook-id'];
  const signatureHeader = request.headers['webhook-signature'];
  if (
    id === undefined ||
    id.trim() === '' ||
    signatureHeader === undefined ||
    signatureHeader.trim() === ''
  ) {
    throw new IngestError(
      401,
      'missing_credentials',
      'Missing the webhook-id or webhook-signature header; this source requires Standard Webhooks signatures.',
    );
  }
  const timestamp = checkTimestamp(
    request.headers['webhook-timestamp'],
    'webhook-timestamp',
    toleranceSeconds,
    now,
  );

  const presented = versionedSignatures(signatureHeader, 'v1')
    .map((signature) => decodeDigest(signature, SHA256_BYTES))
    .filter((digest): digest is Buffer => digest !== undefined);
  if (presented.length === 0) {
    throw new IngestError(
      401,
      'invalid_signature',
      'The webhook-signature header must hold "v1,<base64 HMAC-SHA256>" values separated by spaces.',
    );
  }

  const valid = secrets.some((secret) => {
    const expected = createHmac('sha256', secretKey(secret))
      .update(`${id}.${timestamp}.`)
      .update(request.body)
      .digest();
    return anyDigestMatches(presented, expected);
  });
  if (!valid) {
    throw new IngestError(
      401,
      'invalid_signature',
      'No signature in the webhook-signature header matches the body. Sign "<webhook-id>.<webhook-timestamp>.<body>" with the secret configured for this source.',
    );
  }
  return id;
}

/** Decodes the HMAC key of a Standard Webhooks secret: the base64 text after an optional `whsec_`. */
export function secretKey(secret: string): Buffer {
  return Buffer.from(
    secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret,
    'base64',
  );
}

/**
 * Returns the signatures of one version from a `webhook-signature` value. The
 * specification separates `v1,<base64>` entries with spaces; API Gateway joins a repeated
 * header with commas, which gives `v1,<a>,v1,<b>`. Base64 contains neither separator, so
 * splitting on both and pairing each version tag with the token after it reads both forms.
 */
function versionedSignatures(header: string, version: string): string[] {
  const tokens = header.split(/[\s,]+/).filter((token) => token !== '');
  const signatures: string[] = [];
  for (let index = 0; index + 1 < tokens.length; index += 1) {
    const next = tokens[index + 1]!;
    if (tokens[index] === version && !VERSION_TAG.test(next)) {
      signatures.push(next);
      index += 1;
    }
  }
  return signatures;
}
