import { createHmac, randomUUID } from 'node:crypto';
import type { SourceAuth } from '../functions/config/schema.ts';
import { secretKey } from '../functions/ingest/auth/standard-webhooks.ts';

/**
 * Builds the headers a sender adds to authenticate a webhook body for a source: the
 * counterpart of the relay's check, used by `secops-relay send` and by tests.
 * `webhookId` sets the Standard Webhooks message id, which a sender keeps when it retries.
 */
export function authHeaders(
  auth: SourceAuth,
  secret: string | undefined,
  body: Buffer,
  now: Date = new Date(),
  webhookId = `msg_${randomUUID()}`,
): Record<string, string> {
  if (auth.type === 'none') return {};
  if (secret === undefined) throw new TypeError(`Auth type "${auth.type}" needs a secret.`);
  const timestamp = String(Math.floor(now.getTime() / 1000));

  switch (auth.type) {
    case 'token':
      return { [auth.header]: auth.header === 'authorization' ? `Bearer ${secret}` : secret };

    case 'hmac': {
      const headers: Record<string, string> = {};
      let signed = body;
      if (auth.timestampHeader !== undefined) {
        headers[auth.timestampHeader] = timestamp;
        signed = Buffer.concat([Buffer.from(`${timestamp}.`), body]);
      }
      const digest = createHmac(auth.algorithm, secret).update(signed).digest('hex');
      headers[auth.header] = auth.prefix + digest;
      return headers;
    }

    case 'standard-webhooks': {
      const id = webhookId;
      const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`), body]);
      const signature = createHmac('sha256', secretKey(secret)).update(signed).digest('base64');
      return {
        'webhook-id': id,
        'webhook-timestamp': timestamp,
        'webhook-signature': `v1,${signature}`,
      };
    }
  }
}
