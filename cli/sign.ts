import { createHmac } from 'node:crypto';
import type { SourceAuth } from '../functions/config/schema.ts';

/**
 * Builds the headers a sender adds to authenticate a webhook body for a source: the
 * counterpart of the relay's check, used by `secops-relay send` and by tests.
 */
export function authHeaders(
  auth: SourceAuth,
  secret: string,
  body: Buffer,
  now: Date = new Date(),
): Record<string, string> {
  if (auth.type === 'token') {
    return { [auth.header]: auth.header === 'authorization' ? `Bearer ${secret}` : secret };
  }
  const headers: Record<string, string> = {};
  let signed = body;
  if (auth.timestampHeader !== undefined) {
    const timestamp = String(Math.floor(now.getTime() / 1000));
    headers[auth.timestampHeader] = timestamp;
    signed = Buffer.concat([Buffer.from(`${timestamp}.`), body]);
  }
  headers[auth.header] = auth.prefix + createHmac(auth.algorithm, secret).update(signed).digest('hex');
  return headers;
}
