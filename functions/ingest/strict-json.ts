import { isJsonObject } from '../shared/json.ts';

/** Reason codes of a StrictJsonError; each is also an ingest error code. */
export type StrictJsonErrorCode =
  'malformed_json' | 'duplicate_json_key' | 'json_too_deep' | 'forbidden_json_key';

/** A text that `parseStrictJson` rejected, with where the problem is. */
export class StrictJsonError extends Error {
  readonly code: StrictJsonErrorCode;
  /** Offset of the problem in the text, in UTF-16 code units from 0. */
  readonly position: number;
  /** Keys and indexes from the top-level value to the container that contains the problem. */
  readonly path: readonly (string | number)[];

  constructor(
    code: StrictJsonErrorCode,
    message: string,
    position: number,
    path: readonly (string | number)[],
  ) {
    super(message);
    this.name = 'StrictJsonError';
    this.code = code;
    this.position = position;
    this.path = path;
  }
}

export interface StrictJsonOptions {
  /** Deepest nesting of objects and arrays accepted; `[]` and `{}` are depth 1. */
  maxDepth: number;
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const LITERALS = [
  ['true', true],
  ['false', false],
  ['null', null],
] as const;

/**
 * Parses JSON (RFC 8259) more strictly than `JSON.parse`, for text that an attacker may
 * have written. It rejects:
 *
 * - a key that appears twice in one object (`duplicate_json_key`), because parsers
 *   disagree on which copy wins, so a signature check and a schema could see different data;
 * - nesting deeper than `maxDepth` (`json_too_deep`), so later recursive code cannot
 *   overflow the stack;
 * - a `__proto__` key, and a `constructor` key whose value is an object with a `prototype`
 *   key (`forbidden_json_key`). These are the two ways a JSON document reaches
 *   `Object.prototype` through code that merges or assigns its keys. A plain `constructor`
 *   or `prototype` key is ordinary data and is kept;
 * - numbers that do not fit a double, such as `1e400` (`malformed_json`).
 *
 * An integer literal beyond ±(2^53 − 1), such as a 64-bit identifier, is returned as the
 * string of its digits (`"12345678901234567890"`), because as a number it would silently
 * lose its last digits. A schema that expects a number then rejects it by name. Every
 * other value is what `JSON.parse` returns.
 *
 * @throws StrictJsonError naming the problem, its position and its path.
 */
export function parseStrictJson(text: string, options: StrictJsonOptions): unknown {
  const fast = parseWithJsonParse(text, options.maxDepth);
  if (fast !== NOT_PLAIN) return fast.value;
  return new Parser(text, options.maxDepth).parseDocument();
}

/**
 * Parses with the hand-written parser alone, skipping the `JSON.parse` fast path. It is the
 * reference that `parseStrictJson` must match on every text: the same value, or a
 * StrictJsonError with the same code, message, position and path.
 */
export function parseStrictJsonByHand(text: string, options: StrictJsonOptions): unknown {
  return new Parser(text, options.maxDepth).parseDocument();
}

/** Marker that `parseWithJsonParse` returns when the text needs the full parser. */
const NOT_PLAIN = Symbol('not plain');

/**
 * Parses text that the strict rules accept unchanged, with the native `JSON.parse`, which
 * measured about three times as fast as `Parser`. Returns NOT_PLAIN whenever the text is invalid,
 * nests too deep, repeats a key, uses a forbidden key, escapes a lone surrogate or a NUL,
 * or has a number `JSON.parse` would change. `Parser` then parses it again, so it alone
 * decides what is rejected and how.
 *
 * A repeated key is found by counting: JSON.parse keeps one copy of a repeated key, so
 * the parsed objects hold fewer keys than the text names exactly when a key repeats.
 */
function parseWithJsonParse(text: string, maxDepth: number): { value: unknown } | typeof NOT_PLAIN {
  const keysInText = countKeys(text, maxDepth);
  if (keysInText === undefined) return NOT_PLAIN;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return NOT_PLAIN;
  }
  // Parser rejects a lone surrogate and replaces a NUL in a string. Such a string exists
  // only when a \u escape spells one or the text carries a raw lone surrogate.
  const walk = { keys: 0, checkStrings: text.includes('\\u') || !text.isWellFormed() };
  if (!isPlainValue(value, walk) || walk.keys !== keysInText) return NOT_PLAIN;
  return { value };
}

/**
 * Counts the keys of all objects in a JSON text, a key being a string followed by ":".
 * Returns undefined when objects and arrays nest deeper than `maxDepth` or a string is
 * not closed. Strings are skipped with indexOf, so only the text between them is read
 * character by character.
 */
function countKeys(text: string, maxDepth: number): number | undefined {
  let keys = 0;
  let depth = 0;
  const length = text.length;
  let index = 0;
  while (index < length) {
    const code = text.charCodeAt(index);
    if (code === 0x22) {
      let end = text.indexOf('"', index + 1);
      while (end !== -1 && isEscaped(text, end)) end = text.indexOf('"', end + 1);
      if (end === -1) return undefined;
      index = end + 1;
      while (isWhitespace(text.charCodeAt(index))) index += 1;
      if (text.charCodeAt(index) === 0x3a) keys += 1;
      continue;
    }
    if (code === 0x7b || code === 0x5b) {
      depth += 1;
      if (depth > maxDepth) return undefined;
    } else if (code === 0x7d || code === 0x5d) {
      depth -= 1;
    }
    index += 1;
  }
  return keys;
}

/** Checks whether the quote at `index` follows an odd number of backslashes. */
function isEscaped(text: string, index: number): boolean {
  let backslashes = 0;
  while (text.charCodeAt(index - 1 - backslashes) === 0x5c) backslashes += 1;
  return backslashes % 2 === 1;
}

/** Checks for the four whitespace characters JSON allows between tokens (RFC 8259). */
function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/**
 * Checks what JSON.parse built against the rules `Parser` enforces on values, and counts
 * the object keys into `walk.keys`. The depth is already bounded by `countKeys`.
 */
function isPlainValue(value: unknown, walk: { keys: number; checkStrings: boolean }): boolean {
  if (typeof value === 'number') {
    // JSON.parse rounds an integer beyond 2^53, and Parser keeps its digits as a string instead.
    return Number.isFinite(value) && (Number.isSafeInteger(value) || !Number.isInteger(value));
  }
  if (typeof value === 'string') return !walk.checkStrings || isPlainString(value);
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) {
    for (const element of value) if (!isPlainValue(element, walk)) return false;
    return true;
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  walk.keys += keys.length;
  for (const key of keys) {
    if (key === '__proto__') return false;
    if (walk.checkStrings && !isPlainString(key)) return false;
    const member = object[key];
    if (key === 'constructor' && isJsonObject(member) && Object.hasOwn(member, 'prototype')) {
      return false;
    }
    if (!isPlainValue(member, walk)) return false;
  }
  return true;
}

function isPlainString(value: string): boolean {
  return value.isWellFormed() && !value.includes('\u0000');
}

class Parser {
  private readonly text: string;
  private readonly maxDepth: number;
  private index = 0;
  private readonly path: (string | number)[] = [];

  constructor(text: string, maxDepth: number) {
    this.text = text;
    this.maxDepth = maxDepth;
  }

  parseDocument(): unknown {
    const value = this.parseValue();
    this.skipWhitespace();
    if (this.index < this.text.length)
      this.fail(`found ${this.describeNext()} after the JSON value`);
    return value;
  }

  private parseValue(): unknown {
    this.skipWhitespace();
    const char = this.text[this.index];
    if (char === '{') return this.parseObject();
    if (char === '[') return this.parseArray();
    if (char === '"') return this.parseString();
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9'))
      return this.parseNumber();
    for (const [word, value] of LITERALS) {
      if (this.text.startsWith(word, this.index)) {
        this.index += word.length;
        return value;
      }
    }
    return this.fail(`found ${this.describeNext()} where a value should start`);
  }

  private parseObject(): Record<string, unknown> {
    this.enterContainer();
    const object: Record<string, unknown> = {};
    const keys = new Set<string>();
    this.index += 1;
    this.skipWhitespace();
    if (this.text[this.index] === '}') {
      this.index += 1;
      return object;
    }

    for (;;) {
      this.skipWhitespace();
      const keyPosition = this.index;
      if (this.text[this.index] !== '"')
        this.fail(`expected a quoted key, found ${this.describeNext()}`);
      const key = this.parseString();
      if (key === '__proto__') {
        this.fail(
          `the key "__proto__" is not accepted, because code that copies the object's keys would change its prototype; remove it`,
          'forbidden_json_key',
          keyPosition,
        );
      }
      if (keys.has(key)) {
        this.fail(
          `the key ${quote(key)} appears more than once in one object; send each key once, because JSON parsers disagree on which copy wins`,
          'duplicate_json_key',
          keyPosition,
        );
      }
      keys.add(key);

      this.skipWhitespace();
      if (this.text[this.index] !== ':')
        this.fail(`expected ":" after a key, found ${this.describeNext()}`);
      this.index += 1;
      this.path.push(key);
      const value = this.parseValue();
      this.path.pop();
      if (key === 'constructor' && isJsonObject(value) && Object.hasOwn(value, 'prototype')) {
        this.fail(
          'a "constructor" key holding a "prototype" key is not accepted, because code that merges the object would reach Object.prototype; remove it',
          'forbidden_json_key',
          keyPosition,
        );
      }
      // "__proto__" was rejected above, so this assignment always creates an own property.
      object[key] = value;

      this.skipWhitespace();
      const next = this.text[this.index];
      this.index += 1;
      if (next === '}') return object;
      if (next !== ',')
        this.fail(
          `expected "," or "}" after a member, found ${this.describeAt(this.index - 1)}`,
          'malformed_json',
          this.index - 1,
        );
    }
  }

  private parseArray(): unknown[] {
    this.enterContainer();
    const array: unknown[] = [];
    this.index += 1;
    this.skipWhitespace();
    if (this.text[this.index] === ']') {
      this.index += 1;
      return array;
    }

    for (;;) {
      this.path.push(array.length);
      array.push(this.parseValue());
      this.path.pop();
      this.skipWhitespace();
      const next = this.text[this.index];
      this.index += 1;
      if (next === ']') return array;
      if (next !== ',')
        this.fail(
          `expected "," or "]" after an element, found ${this.describeAt(this.index - 1)}`,
          'malformed_json',
          this.index - 1,
        );
    }
  }

  private parseString(): string {
    const start = this.index;
    let escaped = false;
    for (let index = start + 1; index < this.text.length; index += 1) {
      const code = this.text.charCodeAt(index);
      if (code === 0x22) {
        this.index = index + 1;
        const literal = this.text.slice(start, index + 1);
        if (!escaped) return literal.slice(1, -1);
        let value: string;
        try {
          // The literal is one complete string token, so JSON.parse only decodes its escapes.
          value = JSON.parse(literal) as string;
        } catch {
          return this.fail('invalid escape sequence in a string', 'malformed_json', start);
        }
        // Escapes can spell what UTF-8 bytes cannot. A lone surrogate is not text, so the
        // body is rejected. A NUL ends strings in many stores, but real payloads carry it (a
        // Shodan banner of a binary protocol, say), so it becomes U+FFFD as an undecodable
        // byte does, and the rest of the string still reaches the instance.
        if (!value.isWellFormed()) {
          return this.fail(
            'a string escapes a lone surrogate (\\uD800-\\uDFFF), which is not Unicode text',
            'malformed_json',
            start,
          );
        }
        return value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value;
      }
      if (code === 0x5c) {
        escaped = true;
        index += 1;
      } else if (code < 0x20) {
        this.fail(
          'unescaped control character in a string; escape it as \\uXXXX',
          'malformed_json',
          index,
        );
      }
    }
    return this.fail('a string is not closed before the end of the body', 'malformed_json', start);
  }

  private parseNumber(): number | string {
    NUMBER.lastIndex = this.index;
    const match = NUMBER.exec(this.text);
    if (match === null) return this.fail(`invalid number starting with ${this.describeNext()}`);
    const [literal, fraction, exponent] = match;
    this.index += literal.length;

    const value = Number(literal);
    if (fraction === undefined && exponent === undefined && !Number.isSafeInteger(value)) {
      return literal;
    }
    if (!Number.isFinite(value)) {
      this.fail(
        `the number ${literal.slice(0, 40)} is too large for a double`,
        'malformed_json',
        this.index - literal.length,
      );
    }
    return value;
  }

  private enterContainer(): void {
    // path has one entry per enclosing container, so its length is the current depth.
    if (this.path.length + 1 > this.maxDepth) {
      this.fail(
        `objects and arrays nest more than ${this.maxDepth} levels deep; flatten the payload or raise ingest.maxJsonDepth`,
        'json_too_deep',
      );
    }
  }

  private skipWhitespace(): void {
    while (isWhitespace(this.text.charCodeAt(this.index))) this.index += 1;
  }

  private describeNext(): string {
    return this.describeAt(this.index);
  }

  private describeAt(index: number): string {
    if (index >= this.text.length) return 'the end of the body';
    return quote(this.text.slice(index, index + 1));
  }

  private fail(
    problem: string,
    code: StrictJsonErrorCode = 'malformed_json',
    position: number = this.index,
  ): never {
    throw new StrictJsonError(code, `${problem} (at character ${position})`, position, [
      ...this.path,
    ]);
  }
}

/** Quotes a text for a message, escaped and cut to 64 characters. */
function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}
