import type * as z from 'zod';
import { formatPath } from '../../shared/json-path.ts';
import { PullError } from '../errors.ts';
import type { VendorResponse } from '../job-type.ts';

/** Maximum length of a vendor's error body quoted in a message, in characters. */
const MAX_QUOTED_BODY = 200;

/**
 * Parses a vendor response as JSON and checks it against the documented shape.
 *
 * @throws PullError `vendor_rejected` for a status outside 2xx, quoting the start of the body
 * with the API key blanked out.
 * @throws PullError `vendor_response_invalid` for a body that is not JSON or not of the
 * shape, naming the first problems.
 */
export function readVendorJson<Schema extends z.ZodType>(
  response: VendorResponse,
  schema: Schema,
  vendorName: string,
  apiKey: string,
): z.output<Schema> {
  if (response.status < 200 || response.status > 299) {
    throw new PullError(
      'vendor_rejected',
      `${vendorName} returned HTTP ${response.status}${quoteBody(response.body, apiKey)}. ` +
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
        `(content type ${response.headers.get('content-type') ?? 'none'}).`,
    );
  }
  return parseVendorShape(json, schema, vendorName);
}

/**
 * Checks part of a vendor response against its documented shape.
 * @throws PullError `vendor_response_invalid` naming the first problems.
 */
export function parseVendorShape<Schema extends z.ZodType>(
  value: unknown,
  schema: Schema,
  vendorName: string,
): z.output<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues
    .slice(0, 3)
    .map((issue) => `${formatPath(issue.path)}: ${issue.message}`)
    .join('; ');
  throw new PullError(
    'vendor_response_invalid',
    `${vendorName} returned JSON of an unexpected shape (${issues}); the job reads nothing from it.`,
  );
}

/** Quotes the start of a vendor's body, with any occurrence of the API key blanked out. */
export function quoteBody(body: string, apiKey: string): string {
  const text = (apiKey === '' ? body : body.split(apiKey).join('[api key]')).trim();
  if (text === '') return '';
  const short = text.length <= MAX_QUOTED_BODY ? text : `${text.slice(0, MAX_QUOTED_BODY - 1)}…`;
  return `: ${short}`;
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
