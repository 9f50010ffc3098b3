import type * as z from 'zod';
import { formatPath } from '../../shared/json-path.ts';
import { quoteRedacted, redactCutSecrets, redactSecrets } from '../../shared/redact.ts';
import { PullError } from '../errors.ts';
import type { VendorResponse } from '../job-type.ts';

/**
 * Parses a vendor response as JSON and checks it against the documented shape.
 *
 * @throws PullError `vendor_rejected` for a status outside 2xx, quoting the start of the body
 * with the job's secrets redacted.
 * @throws PullError `vendor_response_invalid` for a body that is not JSON or not of the
 * shape, naming the first problems.
 */
export function readVendorJson<Schema extends z.ZodType>(
  response: VendorResponse,
  schema: Schema,
  vendorName: string,
  secrets: readonly string[],
): z.output<Schema> {
  if (response.status < 200 || response.status > 299) {
    throw new PullError(
      'vendor_rejected',
      `${vendorName} returned HTTP ${response.status}${quoteBody(response.body, secrets)}. ` +
        (response.status === 401 || response.status === 403
          ? "Check the API key in the job's secret and the plan it belongs to."
          : "Check the job's api settings against the vendor documentation."),
    );
  }

  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    throw new PullError(
      'vendor_response_invalid',
      `${vendorName} returned HTTP ${response.status} with a body that is not JSON ` +
        `(content type ${quoteRedacted(response.headers.get('content-type') ?? 'none', secrets)}).`,
    );
  }
  return parseVendorShape(json, schema, vendorName);
}

/**
 * Checks part of a vendor response against its documented shape.
 * @param at where `value` sits in the response body, such as `['data']`, so that each problem
 *   names its full path in the vendor's JSON
 * @throws PullError `vendor_response_invalid` naming the first problems.
 */
export function parseVendorShape<Schema extends z.ZodType>(
  value: unknown,
  schema: Schema,
  vendorName: string,
  at: readonly PropertyKey[] = [],
): z.output<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues
    .slice(0, 3)
    .map((issue) => `${formatPath([...at, ...issue.path])}: ${issue.message}`)
    .join('; ');
  throw new PullError(
    'vendor_response_invalid',
    `${vendorName} returned JSON of an unexpected shape (${issues}); the job reads nothing from it.`,
  );
}

/** Quotes the start of a vendor's body after a colon, with the secrets redacted. An empty body gives ''. */
export function quoteBody(body: string, secrets: readonly string[]): string {
  // The transport keeps only the start of a long error body, which may end inside a secret,
  // and trimming could bring that end to the front of the quote.
  const text = redactCutSecrets(redactSecrets(body, secrets), secrets).trim();
  return text === '' ? '' : `: ${quoteRedacted(text, secrets)}`;
}

/** Builds a URL from the origin, the endpoint and query parameters, skipping undefined values. */
export function vendorUrl(
  origin: string,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
): URL {
  const url = new URL(path, origin);
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  return url;
}
