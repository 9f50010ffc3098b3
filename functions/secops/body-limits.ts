import { declaredLength } from '../shared/bounded-body.ts';

/**
 * Largest 2xx response body the transports read whole, in bytes. A create response echoes
 * the stored record, whose text the record model bounds to about 130,000 characters: under
 * 600 KB of JSON even when every character is escaped. A token response is about 1 KB.
 */
export const MAX_SUCCESS_BODY_BYTES = 1024 * 1024;

/**
 * Largest body of any other status the transports read whole, in bytes, and the start kept
 * of a body cut at either limit. The client parses an error body for a documented message,
 * which the API sends in a short JSON object, and keeps at most 2 KB of it.
 */
export const MAX_ERROR_BODY_READ_BYTES = 64 * 1024;

/**
 * Returns how many bytes of a response body a transport reads: MAX_SUCCESS_BODY_BYTES for
 * a 2xx and MAX_ERROR_BODY_READ_BYTES otherwise. A body whose Content-Length is over its
 * limit is cut anyway, so only MAX_ERROR_BODY_READ_BYTES of it are read.
 */
export function instanceBodyLimit(
  status: number,
  contentLength: string | null | undefined,
): number {
  const limit = status >= 200 && status < 300 ? MAX_SUCCESS_BODY_BYTES : MAX_ERROR_BODY_READ_BYTES;
  const declared = declaredLength(contentLength);
  return declared !== undefined && declared > limit ? MAX_ERROR_BODY_READ_BYTES : limit;
}
