/** Placeholder for a secret that a response repeats. */
export const REDACTED = '[redacted]';

/** Maximum length of vendor text quoted in an error message or log line, in characters. */
export const MAX_QUOTED_CHARS = 300;

/**
 * Returns `text` with every occurrence of the `secrets` replaced by REDACTED. A vendor, a
 * proxy or an instance may echo a credential from a header or a query string in an encoded
 * form. So this also replaces each secret's URL-encoded forms (percent-encoding in either
 * case, and `+` for spaces) and its JSON-escaped forms. In those, any character may be
 * written as `\uXXXX`, as HTML-safe encoders write `&`, `<`, `>`, `=` and `'`, and `/` as
 * `\/`. Secrets are replaced in the order given, and a secret's longer forms first.
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
  // Escapes chosen character by character have too many combinations to list as forms.
  return redacted.includes('\\') ? redactEscaped(redacted, secrets) : redacted;
}

/** Matches one JSON escape that `redactEscaped` decodes: `\uXXXX` or `\/`. */
const DECODED_ESCAPE = /\\u([0-9a-fA-F]{4})|\\\//y;

/**
 * Replaces the secrets that `text` writes with JSON escapes of its own choosing. It decodes
 * every `\uXXXX` and `\/` into the escape JSON.stringify would write for that character,
 * searches the decoded text for each secret's JSON-escaped form, and replaces the part of
 * `text` that each match came from.
 */
function redactEscaped(text: string, secrets: readonly string[]): string {
  let decoded = '';
  // For each character of `decoded`: where its source starts and ends in `text`.
  const starts: number[] = [];
  const ends: number[] = [];
  for (let index = 0; index < text.length;) {
    DECODED_ESCAPE.lastIndex = index;
    const escape = DECODED_ESCAPE.exec(text);
    const length = escape === null ? 1 : escape[0].length;
    const char =
      escape === null
        ? text[index]!
        : escape[1] === undefined
          ? '/'
          : JSON.stringify(String.fromCharCode(Number.parseInt(escape[1], 16))).slice(1, -1);
    for (const unit of char) {
      decoded += unit;
      starts.push(index);
      ends.push(index + length);
    }
    index += length;
  }

  const ranges: [number, number][] = [];
  for (const secret of secrets) {
    if (secret === '') continue;
    const json = JSON.stringify(secret).slice(1, -1);
    for (let at = decoded.indexOf(json); at >= 0; at = decoded.indexOf(json, at + json.length)) {
      ranges.push([starts[at]!, ends[at + json.length - 1]!]);
    }
  }
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0]);
  let result = '';
  let copied = 0;
  for (const [start, end] of ranges) {
    if (start < copied) continue;
    result += text.slice(copied, start) + REDACTED;
    copied = end;
  }
  return result + text.slice(copied);
}

/** Minimum length of a secret's start that `redactCutSecrets` replaces, in characters. */
const MIN_CUT_SECRET_CHARS = 4;

/**
 * Redacts a secret that `text` was cut in the middle of: the text ends with the start of one
 * of a secret's forms, at least MIN_CUT_SECRET_CHARS long. Call it on text that was cut off
 * at a size limit, after `redactSecrets` has replaced the whole secrets.
 */
export function redactCutSecrets(text: string, secrets: readonly string[]): string {
  for (const secret of secrets) {
    if (secret === '') continue;
    for (const form of redactedForms(secret)) {
      for (
        let length = Math.min(form.length - 1, text.length);
        length >= MIN_CUT_SECRET_CHARS;
        length--
      ) {
        if (text.endsWith(form.slice(0, length))) return text.slice(0, -length) + REDACTED;
      }
    }
  }
  return text;
}

/** Maximum secrets whose forms `redactedForms` caches; a rotation adds new ones. */
const MAX_CACHED_SECRETS = 64;

const formsBySecret = new Map<string, readonly string[]>();

/**
 * Returns the distinct forms of `secret`, longest first. The forwarder redacts what each
 * instance response passes on, and building the forms took about a seventh of its CPU time
 * per record, so they are built once per secret. The cache keeps only secrets the process
 * keeps anyway.
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
  for (const key of ['message', 'stack'] as const) {
    const text = error[key];
    if (text === undefined) continue;
    const redacted = redactSecrets(text, secrets);
    // An own property, because some errors, such as DOMException, define these as getters.
    if (redacted !== text) {
      Object.defineProperty(error, key, { value: redacted, writable: true, configurable: true });
    }
  }
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
  // A URL that carries the secret in its query, as a URL parser writes it back (a Location).
  const url = new URL('https://relay.invalid/');
  url.search = `?${secret}`;
  const query = url.search.slice(1);
  const forms = [secret, json, jsonAscii, percent, form, query, ...htmlEscaped(secret)];
  for (const encoded of [json, jsonAscii]) forms.push(encoded.replaceAll('/', '\\/'));
  for (const encoded of [percent, form, query]) {
    forms.push(encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()));
  }
  return forms;
}

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
};

/** Returns the secret as an HTML page quotes it, with `'` as `&#39;` or `&#x27;`, as HTML escapers write it. */
function htmlEscaped(secret: string): string[] {
  const escaped = secret.replace(/[&<>"]/g, (char) => HTML_ENTITIES[char]!);
  return [escaped.replaceAll("'", '&#39;'), escaped.replaceAll("'", '&#x27;')];
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
