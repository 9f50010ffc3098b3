import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStrictJson, StrictJsonError } from '../../functions/ingest/strict-json.ts';

const options = { maxDepth: 64 };
const parse = (text: string) => parseStrictJson(text, options);

function rejection(text: string, maxDepth = 64): StrictJsonError {
  try {
    parseStrictJson(text, { maxDepth });
  } catch (error) {
    if (error instanceof StrictJsonError) return error;
    throw error;
  }
  throw new Error(`expected ${text.slice(0, 40)} to be rejected`);
}

type Reviver = (key: string, value: unknown, context: { source?: string }) => unknown;

/**
 * What parseStrictJson should return for text JSON.parse accepts: JSON.parse's value, with
 * integer literals beyond 2^53 as their digits. Node 22 passes the literal's source text
 * to the reviver, which makes JSON.parse an independent oracle.
 */
function oracle(text: string): unknown {
  const reviver: Reviver = (_key, value, context) =>
    typeof value === 'number' &&
    context.source !== undefined &&
    /^-?\d+$/.test(context.source) &&
    !Number.isSafeInteger(value)
      ? context.source
      : value;
  return JSON.parse(text, reviver as Parameters<typeof JSON.parse>[1]);
}

/** JSON values whose objects never use the keys the parser rejects. */
const safeJson = fc
  .jsonValue()
  .filter((value) => !/"(__proto__|constructor)"\s*:/.test(JSON.stringify(value)));

describe('parseStrictJson on valid JSON', () => {
  it('returns what JSON.parse returns for generated JSON', () => {
    fc.assert(
      fc.property(safeJson, fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);

        expect(parse(text)).toEqual(oracle(text));
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['1', 1],
    ['-0', -0],
    ['"\\u00e9\\n\\ud83d\\ude00"', 'é\n😀'],
    [' \t\r\n{"a" : [ true , false , null ] } \n', { a: [true, false, null] }],
    ['1.5e3', 1500],
    ['[]', []],
    ['{}', {}],
  ])('parses %s', (text, expected) => {
    expect(parse(text)).toEqual(expected);
  });

  it('keeps plain "constructor" and "prototype" keys as data', () => {
    const value = parse('{"constructor":"x","prototype":{"a":1},"b":{"constructor":[1]}}');

    expect(value).toEqual({ constructor: 'x', prototype: { a: 1 }, b: { constructor: [1] } });
    expect(Object.hasOwn(value as object, 'constructor')).toBe(true);
  });
});

describe('parseStrictJson on integers beyond 2^53', () => {
  it.each([
    ['9007199254740991', 9007199254740991],
    ['9007199254740992', '9007199254740992'],
    ['-9007199254740992', '-9007199254740992'],
    ['{"id":12345678901234567890}', { id: '12345678901234567890' }],
    ['[1234567890123456789012345678901234567890]', ['1234567890123456789012345678901234567890']],
    // A fraction or an exponent marks a measurement, not an identifier, so it stays a number.
    ['12345678901234567890.0', Number('12345678901234567890')],
    ['1e21', 1e21],
  ])('reads %s', (text, expected) => {
    expect(parse(text)).toEqual(expected);
  });

  it('keeps every digit of any integer as a string', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }), (integer) => {
        const value = parse(String(integer));

        if (
          integer >= BigInt(Number.MIN_SAFE_INTEGER) &&
          integer <= BigInt(Number.MAX_SAFE_INTEGER)
        ) {
          expect(value).toBe(Number(integer));
        } else {
          expect(value).toBe(String(integer));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('rejects a number too large for a double', () => {
    const error = rejection('{"size": 1e400}');
    expect(error.code).toBe('malformed_json');
    expect(error.message).toContain('1e400');
  });
});

describe('parseStrictJson NUL escapes', () => {
  it('replaces a NUL in a value with U+FFFD', () => {
    expect(parse('{"a":"x\\u0000y"}')).toEqual({ a: 'x\uFFFDy' });
  });

  it('replaces a NUL in a key with U+FFFD', () => {
    expect(parse('{"\\u0000":1}')).toEqual({ '\uFFFD': 1 });
  });
});

describe('parseStrictJson rejects', () => {
  it.each([
    ['{"a":1,"a":2}', 'duplicate_json_key', []],
    ['{"a":1,"\\u0061":2}', 'duplicate_json_key', []],
    ['{"x":{"b":[{"c":1,"c":1}]}}', 'duplicate_json_key', ['x', 'b', 0]],
    ['{"__proto__":{"polluted":true}}', 'forbidden_json_key', []],
    ['{"\\u005f_proto__":{"polluted":true}}', 'forbidden_json_key', []],
    ['[{"a":{"__proto__":[]}}]', 'forbidden_json_key', [0, 'a']],
    ['{"constructor":{"prototype":{"polluted":true}}}', 'forbidden_json_key', []],
    ['{"source":"x\\ud800"}', 'malformed_json', ['source']],
    ['["\\udc00"]', 'malformed_json', [0]],
  ])('%s as %s', (text, code, path) => {
    const error = rejection(text);

    expect(error.code).toBe(code);
    expect(error.path).toEqual(path);
  });

  it('leaves Object.prototype untouched by what it rejects or accepts', () => {
    for (const text of [
      '{"__proto__":{"polluted":true}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      '{"a":{"constructor":{"name":"polluted"}}}',
    ]) {
      try {
        parse(text);
      } catch {
        // Rejected or not, nothing may reach the prototype.
      }
    }

    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.constructor.name).toBe('Object');
  });

  it('accepts nesting up to the limit and rejects one level more', () => {
    expect(parse(`${'['.repeat(64)}${']'.repeat(64)}`)).toBeDefined();

    const error = rejection(`${'['.repeat(65)}${']'.repeat(65)}`);
    expect(error.code).toBe('json_too_deep');
    expect(error.position).toBe(64);
  });

  it('rejects a million levels without overflowing the stack', () => {
    const error = rejection(`${'{"a":'.repeat(1_000_000)}1${'}'.repeat(1_000_000)}`);
    expect(error.code).toBe('json_too_deep');
  });

  it.each([
    ['', 'the end of the body'],
    ['{', 'expected a quoted key'],
    ['{"a" 1}', 'expected ":"'],
    ['{"a":1,}', 'expected a quoted key'],
    ['[1,]', 'where a value should start'],
    ['[1 2]', 'expected "," or "]"'],
    ['{"a":1 "b":2}', 'expected "," or "}"'],
    ['01', 'after the JSON value'],
    ['NaN', 'where a value should start'],
    ["{'a':1}", 'expected a quoted key'],
    ['"a\u0001b"', 'unescaped control character'],
    ['"\\x41"', 'invalid escape'],
    ['"abc', 'not closed'],
    ['tru', 'where a value should start'],
    ['{"a":1} {"b":2}', 'after the JSON value'],
    ['-', 'invalid number'],
  ])('malformed %j naming the problem', (text, problem) => {
    const error = rejection(text);

    expect(error.code).toBe('malformed_json');
    expect(error.message).toContain(problem);
    expect(error.message).toMatch(/at character \d+/);
  });
});

describe('parseStrictJson on repeated keys', () => {
  it('rejects a repeat beside any generated JSON', () => {
    fc.assert(
      fc.property(safeJson, fc.string(), fc.jsonValue(), (value, key, member) => {
        fc.pre(key !== '__proto__' && key !== 'constructor');
        const pair = `${JSON.stringify(key)}:${JSON.stringify(member)}`;
        const text = `{"items":[${JSON.stringify(value)},{${pair},${pair}}]}`;
        const error = rejection(text);

        expect(error.code).toBe('duplicate_json_key');
        expect(error.path).toEqual(['items', 1]);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects a repeat spelled with an escape', () => {
    const error = rejection('{"ab":1,"a\\u0062":2}');

    expect(error.code).toBe('duplicate_json_key');
  });

  it('counts keys inside strings as text', () => {
    expect(parse('{"a":"\\":\\"","b":"x\\\\","c":1}')).toEqual({ a: '":"', b: 'x\\', c: 1 });
  });
});

describe('parseStrictJson on arbitrary text', () => {
  /** JSON text with one character inserted, deleted or replaced, to land near the grammar's edges. */
  const mutatedJson = fc
    .tuple(
      fc.jsonValue(),
      fc.nat(),
      fc.constantFrom('insert', 'delete', 'replace'),
      fc.string({ minLength: 1, maxLength: 1 }),
    )
    .map(([value, at, action, char]) => {
      const text = JSON.stringify(value);
      const index = at % (text.length + 1);
      if (action === 'insert') return text.slice(0, index) + char + text.slice(index);
      if (action === 'delete') return text.slice(0, index) + text.slice(index + 1);
      return text.slice(0, index) + char + text.slice(index + 1);
    });

  it('throws only StrictJsonError, and rejects all that JSON.parse rejects', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), mutatedJson), (text) => {
        let jsonParseAccepts = true;
        try {
          JSON.parse(text);
        } catch {
          jsonParseAccepts = false;
        }

        try {
          parse(text);
          expect(jsonParseAccepts).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(StrictJsonError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
