import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseStrictJson,
  parseStrictJsonByHand,
  StrictJsonError,
} from '../../functions/ingest/strict-json.ts';

/**
 * Differential tests of the `JSON.parse` fast path in `parseStrictJson` against the
 * hand-written parser it must match on every text: the same value, key order and sign
 * of zero included, or a StrictJsonError with the same code, message, position and path.
 */

/** Returns the outcome of one parse as a string that differs whenever two outcomes differ. */
function outcome(parse: () => unknown): string {
  try {
    return `value ${canonical(parse())}`;
  } catch (error) {
    if (!(error instanceof StrictJsonError)) return `threw ${String(error)}`;
    const { code, message, position, path } = error;
    return `error ${JSON.stringify({ code, message, position, path })}`;
  }
}

/** Serializes a parsed value with its key order, -0 apart from 0 and strings apart from numbers. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, member: unknown) =>
    Object.is(member, -0) ? { negativeZero: true } : member,
  );
}

function expectSameOutcome(text: string, maxDepth: number): void {
  const fast = outcome(() => parseStrictJson(text, { maxDepth }));
  const byHand = outcome(() => parseStrictJsonByHand(text, { maxDepth }));

  expect(fast, `text ${JSON.stringify(text)} with maxDepth ${maxDepth}`).toBe(byHand);
}

/** Pieces of string contents that sit at the edges of escaping, surrogates and key rules. */
const STRING_PARTS = [
  'a',
  'b',
  '\\u0061',
  '__proto__',
  '\\u005f_proto__',
  'constructor',
  'prototype',
  '\\\\',
  '\\"',
  '\\\\\\"',
  '\\n',
  '\\/',
  ':',
  '\\":',
  '{',
  ']',
  '\\u0000',
  '\\uD800',
  '\\uDC00',
  '\\ud83d\\ude00',
  '\\ud83d',
  '\uD800',
  '\uDC00',
  '\uD83D\uDE00',
  '\u007f',
  'é',
] as const;

/** Pieces that no JSON string may contain. */
const INVALID_STRING_PARTS = ['\u0001', '\\x', '\\u12', '\n'] as const;

const NUMBER_LITERALS = [
  '0',
  '-0',
  '-0.0',
  '1',
  '-1',
  '1.0',
  '1e2',
  '1E+2',
  '2e-1',
  '1e-400',
  '-1e-400',
  '1e400',
  '-1e400',
  '1.7976931348623157e308',
  '1.7976931348623159e308',
  '5e-324',
  '9007199254740991',
  '9007199254740992',
  '-9007199254740993',
  '9007199254740991.5',
  '12345678901234567890',
  '12345678901234567890.0',
  '12345678901234567890e0',
  '1'.repeat(400),
] as const;

/** Number-like literals outside the JSON grammar. */
const INVALID_NUMBER_LITERALS = ['01', '1.', '.5', '+1', '1e', '-', 'nul'] as const;

/** Whitespace that JSON allows, with the empty string weighted up. */
const WHITESPACE = ['', '', '', ' ', '\n', '\r\n', '\t'] as const;

/** Unicode whitespace that JSON does not allow between tokens. */
const INVALID_WHITESPACE = ['\u00a0', '\uFEFF', '\u2028'] as const;

/** Mostly the valid choices, and now and then one of the invalid ones. */
function mostlyValid<T>(valid: readonly T[], invalid: readonly T[]): fc.Arbitrary<T> {
  return fc.oneof(
    { weight: 19, arbitrary: fc.constantFrom(...valid) },
    { weight: 1, arbitrary: fc.constantFrom(...invalid) },
  );
}

const space = mostlyValid(WHITESPACE, INVALID_WHITESPACE);

const stringLiteral = fc
  .array(mostlyValid(STRING_PARTS, INVALID_STRING_PARTS), { maxLength: 4 })
  .map((parts) => `"${parts.join('')}"`);

const scalarLiteral = mostlyValid<string>(
  [...NUMBER_LITERALS, 'true', 'false', 'null'],
  INVALID_NUMBER_LITERALS,
);

/** True about one time in twenty. */
const rarely = fc.nat(19).map((draw) => draw === 0);

/** JSON texts near the grammar's edges: mostly valid, some one step off. */
const nearJson = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarLiteral,
    stringLiteral,
    fc
      .tuple(space, fc.array(fc.tuple(tie('value'), space), { maxLength: 3 }), rarely)
      .map(([before, elements, trailingComma]) => {
        const items = elements.map(([element, after]) => `${element}${after}`);
        return `[${before}${items.join(',')}${trailingComma ? ',' : ''}]`;
      }),
    fc
      .tuple(
        space,
        fc.array(fc.tuple(stringLiteral, space, tie('value')), { maxLength: 3 }),
        fc.nat(4).map((draw) => draw === 0),
      )
      .map(([before, members, repeatFirst]) => {
        const pairs = members.map(([key, gap, member]) => `${key}${gap}:${member}`);
        if (repeatFirst && pairs[0] !== undefined) pairs.push(pairs[0]);
        return `{${before}${pairs.join(',')}}`;
      }),
  ),
})).value;

/** A text with one piece inserted or one character removed, to step just outside the grammar. */
const mutatedNearJson = fc
  .tuple(
    nearJson,
    fc.nat(),
    fc.boolean(),
    fc.constantFrom('"', '\\', ':', ',', '{', '}', '[', ']', '\uD800', ' '),
  )
  .map(([text, at, insert, piece]) => {
    const index = at % (text.length + 1);
    if (insert) return text.slice(0, index) + piece + text.slice(index);
    return text.slice(0, index) + text.slice(index + 1);
  });

describe('parseStrictJson against the hand-written parser', () => {
  it('matches on generated near-JSON texts', () => {
    fc.assert(
      fc.property(
        fc.oneof(nearJson, mutatedNearJson),
        fc.integer({ min: 1, max: 4 }),
        expectSameOutcome,
      ),
      { numRuns: 3_000 },
    );
  });

  it('matches on arbitrary strings', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme-composite' })),
        fc.integer({ min: 1, max: 4 }),
        expectSameOutcome,
      ),
      { numRuns: 1_000 },
    );
  });

  it('matches on generated JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 1, max: 8 }), (value, maxDepth) => {
        expectSameOutcome(JSON.stringify(value), maxDepth);
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['a raw lone surrogate after \\n', '"\\n\uD800"'],
    ['a raw lone surrogate after \\"', '["\\"\uDC00", 1]'],
    ['a raw lone surrogate in an escaped key', '{"\\t\uD800":1}'],
    ['a raw lone surrogate without escapes', '"\uD800"'],
    ['a raw lone surrogate beside \\u0041', '"\\u0041\uD800"'],
    ['an escaped high and a raw low surrogate', '"\\uD83D\uDE00"'],
  ])('string with %s', (_case, text) => {
    expectSameOutcome(text, 64);
  });

  it.each([
    ['a repeat spelled with \\u', '{"ab":1,"a\\u0062":2}'],
    ['a repeat of a key ending in a backslash', '{"a\\\\":1,"a\\\\":2}'],
    ['a key that holds a quote and a colon', '{"a\\":":1,"a\\":":2}'],
    ['a key-like string value', '{"a":"\\"b\\":","b":1}'],
    ['a backslash run before a quote', '{"\\\\\\\\":1,"\\\\\\\\\\"":2}'],
    ['an escaped __proto__', '{"\\u005f_proto__":{}}'],
    ['constructor with prototype', '{"constructor":{"prototype":{}}}'],
    ['constructor with an escaped prototype', '{"constructor":{"prot\\u006ftype":1}}'],
    ['constructor holding an array', '{"constructor":["prototype"]}'],
    ['a NUL escape in a key', '{"\\u0000":1}'],
    ['integer-like keys', '{"b":1,"2":2,"1":3,"-1":4}'],
  ])('object with %s', (_case, text) => {
    expectSameOutcome(text, 64);
  });

  it.each([...NUMBER_LITERALS, ...INVALID_NUMBER_LITERALS].map((literal) => [literal]))(
    'number %s',
    (literal) => {
      expectSameOutcome(literal, 64);
      expectSameOutcome(`{"n":[${literal}]}`, 64);
    },
  );

  it.each([
    ['a BOM', '\uFEFF{}'],
    ['no-break spaces', '\u00a0[]\u00a0'],
    ['JSON whitespace', ' \t\r\n{ "a" \n:\t[ 1 , 2 ] }\r\n'],
    ['a line separator', '[\u2028]'],
    ['nothing', ''],
  ])('text with %s', (_case, text) => {
    expectSameOutcome(text, 64);
  });

  it('matches at exactly maxDepth and one level more', () => {
    for (const maxDepth of [1, 2, 64]) {
      for (const depth of [maxDepth, maxDepth + 1]) {
        expectSameOutcome(`${'['.repeat(depth)}${']'.repeat(depth)}`, maxDepth);
        expectSameOutcome(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`, maxDepth);
        expectSameOutcome(
          `["${'['.repeat(depth)}",${'['.repeat(depth - 1)}${']'.repeat(depth)}`,
          maxDepth,
        );
      }
    }
  });
});
