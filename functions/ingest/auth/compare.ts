import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two strings in time that depends on neither content nor length: both are
 * hashed to 32 bytes first, so timingSafeEqual never sees buffers of different lengths.
 */
export function equalSecrets(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Decodes a presented digest written in hex or base64 (standard or URL-safe), or returns
 * undefined when it cannot be a digest of `length` bytes. Comparing only digests of the
 * expected length keeps timingSafeEqual from throwing on a malformed signature.
 */
export function decodeDigest(text: string, length: number): Buffer | undefined {
  if (text.length === length * 2 && /^[0-9a-f]+$/i.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    const bytes = Buffer.from(text, 'base64');
    if (bytes.length === length) return bytes;
  }
  return undefined;
}

/** True when any presented digest equals the expected one; every comparison is constant-time. */
export function anyDigestMatches(presented: readonly Buffer[], expected: Buffer): boolean {
  let matched = false;
  for (const digest of presented) {
    if (timingSafeEqual(digest, expected)) matched = true;
  }
  return matched;
}
