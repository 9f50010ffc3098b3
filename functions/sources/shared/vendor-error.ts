import { NormalizationError } from '../source.ts';
import type { PayloadPath } from './observable-field.ts';

/**
 * Builds the error for a response in which the vendor reports a failure (quota, bad request,
 * invalid address), including failures the vendor sends with HTTP 200. Such a response contains
 * no verdict, so the relay makes no record, and ingest responds 422 with this message.
 *
 * @param description the vendor's failure in its own words, such as `422 "The max age in days must be between 1 and 365."`
 * @param fix what the sender should do instead
 * @example vendorErrorResponse('Shodan', '"Invalid API key"', ['error'], 'Send the host response once Shodan returns one.')
 */
export function vendorErrorResponse(
  vendor: string,
  description: string,
  path: PayloadPath,
  fix: string,
): NormalizationError {
  return new NormalizationError(
    `${vendor} returned an error instead of a result (${description}). An error response ` +
      `contains no verdict, so the relay made no record. ${fix}`,
    path,
  );
}

/** Quotes vendor text for a message, shortened so a huge body does not become a huge message. */
export function quoteVendorText(text: string): string {
  const short = text.length <= 300 ? text : `${text.slice(0, 297)}...`;
  return JSON.stringify(short);
}
