/**
 * The first `"key": "..."` pair for one of the message keys. The value may be cut off by
 * the end of the body, so its closing quote is optional.
 */
const MESSAGE_PAIR = /"(message|detail|error|error_description)"\s*:\s*"((?:[^"\\]|\\.)*)/;

/** A `\u` escape cut off by the end of the body. */
const CUT_UNICODE_ESCAPE = /\\u[0-9A-Fa-f]{0,3}$/;

/**
 * Reads the first message of an error body that the transport cut at its limit, where
 * JSON.parse fails: the string value of the first "message", "detail", "error" or
 * "error_description" key, itself cut short when the body ends inside it. Returns undefined
 * when the start of the body has no such string.
 *
 * The API's errors are `{"error": {"message", "detail"}, "status": "failure"}`, so the
 * message comes first, and an oversized body is most likely a long detail after it.
 */
export function messageInCutBody(body: string): string | undefined {
  const match = MESSAGE_PAIR.exec(body);
  if (match === null) return undefined;
  const literal = match[2] ?? '';
  for (const candidate of [literal, literal.replace(CUT_UNICODE_ESCAPE, '')]) {
    try {
      const message: unknown = JSON.parse(`"${candidate}"`);
      return typeof message === 'string' && message !== '' ? message : undefined;
    } catch {
      // A cut escape, or a control character, which JSON strings may not contain.
    }
  }
  return undefined;
}
