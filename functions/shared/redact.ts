/** Placeholder for a secret that a response repeats. */
export const REDACTED = '[redacted]';

/** Maximum length of vendor text quoted in an error message or log line, in characters. */
export const MAX_QUOTED_CHARS = 300;

/**
 * Returns `text` with every occurrence of the `secrets` replaced by REDACTED. A vendor, a
 * proxy or an instance may echo a credential from a header or a query string in an encoded
 * form. So this also replaces each secret's JSON-escaped forms (with and without `\/` and
 * `\uXXXX`) and its URL-encoded forms (percent-encoding in either case, and `+` for spaces).
 * Secrets are replaced in the order given, and a secret's longer forms first.
 *
 * A secret the text quotes in part, or in another encoding such as base64, is not found.
 * Callers list such forms as secrets of their own.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let redacted = text;
  for (const secret of secrets) {
    if (secret === '') continue;
    for (const form of redactedForms(secret)) {
      if (redacted.includes(form)) redacted = redacted.replaceAll(form, REDACTED);
    }
  }
  return redacted;
}

/** Maximum secrets whose forms `redactedForms` caches; a rotation adds new ones. */
const MAX_CACHED_SECRETS = 64;

const formsBySecret = new Map<string, readonly string[]>();

/**
 * Returns the distinct forms of `secret`, longest first. The forwarder redacts every instance
 * response, and building the forms took about a seventh of its CPU time per record, so they
 * are built once per secret. The cache keeps only secrets the process keeps anyway.
 */
function redactedForms(secret: string): readonly string[] {
  let forms = formsBySecret.get(secret);
  if (forms === undefined) {
    forms = [...new Set(encodedForms(secret))].sort((a, b) => b.length - a.length);
    if (formsBySecret.size >= MAX_CACHED_SECRETS) formsBySecret.clear();
    formsBySecret.set(secret, forms);
  }
  return forms;
}

/**
 * Returns `text` with the secrets redacted and cut to MAX_QUOTED_CHARS, for quoting text that
 * came from outside (a vendor's error body or status) in an error message or log line. A
 * vendor can return text of any size, and the quote goes into every log line of the failure.
 * Redaction comes first, so a cut never leaves the start of a secret behind.
 */
export function quoteRedacted(text: string, secrets: readonly string[]): string {
  const redacted = redactSecrets(text, secrets);
  if (redacted.length <= MAX_QUOTED_CHARS) return redacted;
  // A cut after the first half of a surrogate pair would leave a lone surrogate.
  return `${redacted.slice(0, MAX_QUOTED_CHARS).replace(/[\uD800-\uDBFF]$/, '')}…`;
}

/**
 * Redacts the secrets from an error's message and stack, in place, before the error is
 * logged or printed. Returns the same error, so its class, code and cause stay as they were.
 */
export function redactError<E extends Error>(error: E, secrets: readonly string[]): E {
  error.message = redactSecrets(error.message, secrets);
  if (error.stack !== undefined) error.stack = redactSecrets(error.stack, secrets);
  return error;
}

function encodedForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const jsonAscii = json.replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  const percent = encodeURIComponent(secret);
  const form = new URLSearchParams({ value: secret }).toString().slice('value='.length);
  const forms = [secret, json, jsonAscii, percent, form];
  for (const encoded of [json, jsonAscii]) forms.push(encoded.replaceAll('/', '\\/'));
  for (const encoded of [percent, form]) {
    forms.push(encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()));
  }
  return forms;
}

/**
 * Returns a copy of log details with the secrets redacted from every string in them, at any
 * depth, for details whose values come from a vendor.
 */
export function redactValues(
  detail: Record<string, unknown>,
  secrets: readonly string[],
): Record<string, unknown> {
  return redactValue(detail, secrets) as Record<string, unknown>;
}

function redactValue(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return redactSecrets(value, secrets);
  if (Array.isArray(value)) return value.map((entry) => redactValue(entry, secrets));
  if (typeof value === 'object' && value !== null && !(value instanceof Error)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, entry]) => [key, redactValue(entry, secrets)]),
    );
  }
  return value;
}
