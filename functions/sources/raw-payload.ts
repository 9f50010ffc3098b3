import { MAX_RAW_PAYLOAD_LENGTH } from '../records/record.ts';

/** Key of the marker that lists what `toRawPayload` left out to fit the limit. */
export const TRUNCATION_MARKER_KEY = 'relayTruncated';

export interface RawPayloadOptions {
  /** Member of the payload whose entries may be dropped, largest first, to fit the limit. */
  prunable?: string;
  maxLength?: number;
}

/**
 * Serializes a payload as compact JSON of at most `maxLength` (default MAX_RAW_PAYLOAD_LENGTH)
 * UTF-16 code units. Nothing is dropped silently: when the JSON is too long, the largest
 * entries of the `prunable` member are left out and named under `relayTruncated`
 * (`{"omitted": ["attributes.pe_info"], "originalLength": 123456}`), so the result stays
 * valid JSON. Only when that is not enough is the text cut, and it then ends with a
 * "[truncated by SecOps Relay …]" marker and is no longer valid JSON.
 */
export function toRawPayload(
  payload: Record<string, unknown>,
  options: RawPayloadOptions = {},
): string {
  const maxLength = options.maxLength ?? MAX_RAW_PAYLOAD_LENGTH;
  const full = JSON.stringify(payload);
  if (full.length <= maxLength) return full;

  const pruned = pruneLargestEntries(payload, options.prunable, full.length, maxLength);
  if (pruned !== undefined) return pruned;

  return cutText(full, maxLength);
}

function pruneLargestEntries(
  payload: Record<string, unknown>,
  prunable: string | undefined,
  originalLength: number,
  maxLength: number,
): string | undefined {
  if (prunable === undefined) return undefined;
  const member = payload[prunable];
  if (typeof member !== 'object' || member === null || Array.isArray(member)) return undefined;

  const kept: Record<string, unknown> = { ...(member as Record<string, unknown>) };
  const bySizeDescending = Object.entries(kept)
    .map(([key, value]) => ({ key, size: JSON.stringify(value)?.length ?? 0 }))
    .sort((a, b) => b.size - a.size);

  const omitted: string[] = [];
  for (const { key } of bySizeDescending) {
    delete kept[key];
    omitted.push(`${prunable}.${key}`);
    const candidate = JSON.stringify({
      ...payload,
      [prunable]: kept,
      [TRUNCATION_MARKER_KEY]: { omitted, originalLength },
    });
    if (candidate.length <= maxLength) return candidate;
  }
  return undefined;
}

function cutText(text: string, maxLength: number): string {
  const marker = `…[truncated by SecOps Relay: kept the first KEPT of ${text.length} characters]`;
  let kept = Math.max(0, maxLength - marker.length - String(text.length).length);
  // Never split a surrogate pair, which would leave half a character.
  const last = text.charCodeAt(kept - 1);
  if (kept > 0 && last >= 0xd800 && last <= 0xdbff) kept -= 1;
  return text.slice(0, kept) + marker.replace('KEPT', String(kept));
}
