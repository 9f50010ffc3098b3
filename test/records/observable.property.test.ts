import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalizeObservable,
  detectObservableType,
  InvalidObservableError,
  MAX_OBSERVABLE_LENGTH,
  OBSERVABLE_TYPES,
  parseObservable,
  refang,
  type Observable,
  type ObservableType,
} from '../../functions/records/observable.ts';

type Sample = readonly [ObservableType, string];

const hex = (length: number) => fc.stringMatching(new RegExp(`^[0-9a-fA-F]{${length}}$`));

/** Well-formed observables of every type, in the spellings vendors send. */
const observables: fc.Arbitrary<Sample> = fc.oneof(
  fc.ipV4().map((value): Sample => ['ipv4', value]),
  fc.ipV6().map((value): Sample => ['ipv6', value]),
  fc.ipV4().map((value): Sample => ['ipv6', `::ffff:${value}`]),
  fc
    .tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 }))
    .map(([address, prefix]): Sample => ['cidr', `${address}/${prefix}`]),
  fc
    .tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 }))
    .map(([address, prefix]): Sample => ['cidr', `${address}/${prefix}`]),
  fc.domain().map((value): Sample => ['domain', value]),
  fc.mixedCase(fc.domain()).map((value): Sample => ['domain', `${value}.`]),
  fc
    .webUrl({
      withQueryParameters: true,
      withFragments: true,
      validSchemes: ['http', 'https', 'ftp'],
    })
    .map((value): Sample => ['url', value]),
  hex(32).map((value): Sample => ['md5', value]),
  hex(40).map((value): Sample => ['sha1', value]),
  hex(64).map((value): Sample => ['sha256', value]),
  hex(128).map((value): Sample => ['sha512', value]),
  fc.emailAddress().map((value): Sample => ['email', value]),
);

/** Defangs a value the ways threat-intel text does, so the canonical form must not change. */
function defang(value: string, style: number): string {
  const dot = ['[.]', '(.)', '[dot]', '[DOT]'][style % 4]!;
  const at = ['[@]', '[at]', '[AT]'][style % 3]!;
  const separator = ['[:]//', '[://]', '://'][style % 3]!;
  const schemeEnd = value.indexOf('://');
  if (schemeEnd === -1) return value.replaceAll('.', dot).replaceAll('@', at);

  // URLs are refanged in the scheme and authority only, so the path keeps its dots.
  const scheme = value.slice(0, schemeEnd).replace(/^http/i, 'hxxp');
  const rest = value.slice(schemeEnd + 3);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  const tail = authorityEnd === -1 ? '' : rest.slice(authorityEnd);
  return `${scheme}${separator}${authority.replaceAll('.', dot)}${tail}`;
}

const tokens = fc
  .array(
    fc.constantFrom(
      '[.]',
      '(.)',
      '[dot]',
      '[',
      ']',
      '(',
      ')',
      '.',
      ':',
      '::',
      '/',
      '//',
      '\\',
      '@',
      '[at]',
      '[@]',
      '[:]',
      '[://]',
      'hxxp',
      'hxxps',
      'http',
      '://',
      '%',
      '%00',
      '#',
      '?',
      'ffff',
      '::ffff:',
      '192',
      '0',
      '255',
      '1',
      'a',
      'xn--',
      '-',
      '_',
      ' ',
      '\t',
      '\n',
      '\u0000',
      '\u00ad',
      'ü',
      '\u3002',
      '\uff0e',
      '\u200b',
      '\ud800',
      '😀',
      'İ',
      'ẞ',
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

// Values with nested defang markers such as "[[.]]", which one refang pass turns into another marker.
const nestedlyDefanged: fc.Arbitrary<Sample> = fc
  .tuple(
    fc.constantFrom('[[.]]', '[[dot]]', '([.])', '[(.)]', '[[at]]', '[[@]]', '[[:]]', '[[://]]'),
    fc.stringMatching(/^[a-z]{1,5}$/),
    fc.nat(3),
  )
  .map(([marker, word, form]): Sample => {
    const forms: Sample[] = [
      ['email', `${word}${marker}${word}@example.com`],
      ['url', `http://${word}${marker}${word}@example.com/`],
      ['domain', `${word}${marker}example.com`],
      ['ipv4', `192${marker}0.2.1`],
    ];
    return forms[form]!;
  });

/** Strings built to break parsers: defang markers, separators, unicode and control characters. */
const hostile: fc.Arbitrary<string> = fc.oneof(
  tokens,
  tokens.map((local) => `${local}@example.com`),
  nestedlyDefanged.map(([, value]) => value),
  tokens.map((userInfo) => `http://${userInfo}@example.com/`),
  tokens.map((host) => `https://${host}/a`),
  tokens.map((path) => `http://example.com/${path}`),
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code)) }),
  fc.tuple(observables, fc.nat()).map(([[, value], style]) => defang(value, style)),
);

/** Values near and above the length limit, where slow regular expressions would show. */
const huge: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('a', '.', '[.]', '1', ':', '/', 'a.', 'a-', '[', '@'),
      fc.integer({ min: 1000, max: MAX_OBSERVABLE_LENGTH + 10 }),
    )
    .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length))),
  fc
    .integer({ min: MAX_OBSERVABLE_LENGTH - 30, max: MAX_OBSERVABLE_LENGTH + 30 })
    .map((length) => `https://example.com/${'a'.repeat(length - 20)}`),
  fc.string({ minLength: MAX_OBSERVABLE_LENGTH - 5, maxLength: MAX_OBSERVABLE_LENGTH + 5 }),
);

function tryCanonicalize(type: ObservableType, raw: string): Observable | undefined {
  try {
    return canonicalizeObservable(type, raw);
  } catch (error) {
    // Generators produce some values outside our rules (such as a one-label domain).
    if (error instanceof InvalidObservableError) return undefined;
    throw error;
  }
}

/** Canonicalizes a value twice and expects the second pass to change nothing. */
function expectIdempotent(type: ObservableType, raw: string): void {
  const once = tryCanonicalize(type, raw);
  if (once === undefined) return;

  expect(canonicalizeObservable(once.type, once.value)).toEqual(once);
}

function expectOnlyInvalidObservable(action: () => unknown): void {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidObservableError);
  }
}

describe('canonicalization properties', () => {
  it('is idempotent on well-formed observables', () => {
    fc.assert(
      fc.property(observables, ([type, raw]) => expectIdempotent(type, raw)),
      { numRuns: 1000 },
    );
  });

  it('is idempotent on any string of any type', () => {
    fc.assert(
      fc.property(fc.constantFrom(...OBSERVABLE_TYPES), hostile, (type, raw) =>
        expectIdempotent(type, raw),
      ),
      { numRuns: 1000 },
    );
  });

  it('is idempotent on nested defang markers', () => {
    fc.assert(
      fc.property(nestedlyDefanged, ([type, raw]) => expectIdempotent(type, raw)),
      { numRuns: 200 },
    );
  });

  it('gives a defanged value the canonical form of the plain one', () => {
    fc.assert(
      fc.property(observables, fc.nat(), ([type, raw], style) => {
        const plain = tryCanonicalize(type, raw);
        if (plain === undefined) return;

        expect(canonicalizeObservable(type, defang(raw, style))).toEqual(plain);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps canonical values within the length limit', () => {
    fc.assert(
      fc.property(fc.constantFrom(...OBSERVABLE_TYPES), fc.oneof(hostile, huge), (type, raw) => {
        const once = tryCanonicalize(type, raw);
        if (once === undefined) return;

        expect(once.value.length).toBeGreaterThan(0);
        expect(once.value.length).toBeLessThanOrEqual(MAX_OBSERVABLE_LENGTH);
      }),
      { numRuns: 200 },
    );
  });

  it('parseObservable is idempotent', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          observables.map(([, value]) => value),
          hostile,
        ),
        (raw) => {
          let once: Observable;
          try {
            once = parseObservable(raw);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidObservableError);
            return;
          }

          expect(parseObservable(once.value)).toEqual(once);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('canonicalization on arbitrary strings', () => {
  it('canonicalizeObservable throws only InvalidObservableError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...OBSERVABLE_TYPES), fc.oneof(hostile, huge), (type, raw) => {
        expectOnlyInvalidObservable(() => canonicalizeObservable(type, raw));
      }),
      { numRuns: 1000 },
    );
  });

  it('parseObservable throws only InvalidObservableError', () => {
    fc.assert(
      fc.property(fc.oneof(hostile, huge), (raw) => {
        expectOnlyInvalidObservable(() => parseObservable(raw));
      }),
      { numRuns: 1000 },
    );
  });

  it('detectObservableType and refang never throw', () => {
    fc.assert(
      fc.property(fc.oneof(hostile, huge), (raw) => {
        expect(() => detectObservableType(raw)).not.toThrow();
        expect(typeof refang(raw)).toBe('string');
      }),
      { numRuns: 1000 },
    );
  });

  it('detects the type that canonicalization accepts', () => {
    fc.assert(
      fc.property(observables, ([, raw]) => {
        const type = detectObservableType(raw);
        if (type === undefined) return;

        expectOnlyInvalidObservable(() => canonicalizeObservable(type, raw));
      }),
      { numRuns: 500 },
    );
  });
});
