/**
 * The bytes of an HTTP response body, collected up to a limit. Bytes past the limit are
 * dropped, so a body of any size keeps at most `limit` bytes in memory.
 */
export class BoundedBody {
  readonly limit: number;
  readonly #chunks: Uint8Array[] = [];
  #length = 0;
  #exceeded = false;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** True once the body has passed the limit; `bytes` then returns its first `limit` bytes. */
  get exceeded(): boolean {
    return this.#exceeded;
  }

  /** Adds the next chunk. Returns false once the body has passed the limit, so the caller stops reading. */
  add(chunk: Uint8Array): boolean {
    if (this.#exceeded) return false;
    const room = this.limit - this.#length;
    if (chunk.byteLength > room) {
      if (room > 0) this.#chunks.push(chunk.subarray(0, room));
      this.#length = this.limit;
      this.#exceeded = true;
      return false;
    }
    this.#chunks.push(chunk);
    this.#length += chunk.byteLength;
    return true;
  }

  bytes(): Buffer {
    return Buffer.concat(this.#chunks, this.#length);
  }
}

/**
 * Reads a fetch response body until it ends or passes `limit` bytes, and cancels the
 * stream in the second case. Fetch decompresses the body first, so the limit counts the
 * decompressed bytes. The caller should also abort the request, so that the connection closes.
 */
export async function readBodyUpTo(
  stream: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<BoundedBody> {
  const body = new BoundedBody(limit);
  if (stream === null) return body;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return body;
    if (!body.add(value)) {
      reader.cancel().catch(() => {});
      return body;
    }
  }
}

/**
 * Returns the length a Content-Length header value declares, in bytes, or undefined when
 * the header is absent or not one decimal number.
 */
export function declaredLength(header: string | null | undefined): number | undefined {
  if (header === null || header === undefined || !/^\s*\d+\s*$/.test(header)) return undefined;
  return Number(header);
}
