import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalizeObservable,
  detectObservableType,
  hashTypeOf,
  InvalidObservableError,
  MAX_OBSERVABLE_LENGTH,
  OBSERVABLE_TYPES,
  parseObservable,
  refang,
  type ObservableType,
} from '../../functions/records/observable.ts';

const SHA256 = 'a'.repeat(64);

describe('canonicalizeObservable', () => {
  it.each<[ObservableType, string, string]>([
    ['ipv4', ' 192.0.2.1 ', '192.0.2.1'],
    ['ipv4', '192.0.2[.]1', '192.0.2.1'],
    ['ipv6', '2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['ipv6', '2001:db8::0:1', '2001:db8::1'],
    ['domain', 'Example.COM.', 'example.com'],
    ['domain', 'example[.]org', 'example.org'],
    ['domain', '_dmarc.example.net', '_dmarc.example.net'],
    ['domain', 'münchen.example', 'xn--mnchen-3ya.example'],
    ['url', 'HTTP://Example.COM/Path?Q=A#Frag', 'http://example.com/Path?Q=A#Frag'],
    ['url', 'https://example.com', 'https://example.com/'],
    ['url', 'https://example.com?x=1', 'https://example.com/?x=1'],
    ['url', 'http://example.com:80/a', 'http://example.com/a'],
    ['url', 'http://example.com:8080/a', 'http://example.com:8080/a'],
    ['url', 'hxxps://evil.example[.]net/a[.]b', 'https://evil.example.net/a[.]b'],
    ['url', 'http://User:PaSS@Example.com/', 'http://User:PaSS@example.com/'],
    ['url', 'http://[2001:DB8::1]:8443/x', 'http://[2001:db8::1]:8443/x'],
    ['url', 'http://münchen.example/straße', 'http://xn--mnchen-3ya.example/straße'],
    ['url', 'ftp://files.example.org/pub/', 'ftp://files.example.org/pub/'],
    ['md5', 'D41D8CD98F00B204E9800998ECF8427E', 'd41d8cd98f00b204e9800998ecf8427e'],
    [
      'sha1',
      'DA39A3EE5E6B4B0D3255BFEF95601890AFD80709',
      'da39a3ee5e6b4b0d3255bfef95601890afd80709',
    ],
    ['sha256', SHA256.toUpperCase(), SHA256],
    ['sha512', 'F'.repeat(128), 'f'.repeat(128)],
    ['email', 'Alice@Example.COM', 'alice@example.com'],
    ['email', 'bob[@]example[.]org', 'bob@example.org'],
  ])('canonicalizes %s %j', (type, raw, expected) => {
    expect(canonicalizeObservable(type, raw)).toEqual({ type, value: expected });
  });

  it.each<[ObservableType, string]>([
    ['ipv4', '192.0.2'],
    ['ipv4', '192.0.2.256'],
    ['ipv4', '192.000.2.1'],
    ['ipv4', '2001:db8::1'],
    ['ipv6', '192.0.2.1'],
    ['ipv6', 'fe80::1%eth0'],
    ['domain', 'localhost'],
    ['domain', '192.0.2.1'],
    ['domain', '-bad.example.com'],
    ['domain', 'a..example.com'],
    ['domain', 'exa mple.com'],
    ['url', 'example.com/path'],
    ['url', 'javascript://example.com/'],
    ['url', 'file:///etc/passwd'],
    ['url', 'http:/example.com'],
    ['url', 'http://'],
    ['md5', 'a'.repeat(31)],
    ['md5', 'g'.repeat(32)],
    ['sha256', 'a'.repeat(40)],
    ['email', 'not-an-address'],
    ['email', 'alice@localhost'],
    ['email', '@example.com'],
  ])('rejects %s %j', (type, raw) => {
    expect(() => canonicalizeObservable(type, raw)).toThrow(InvalidObservableError);
  });

  it('names the value and type in its error', () => {
    const error = catchError(() => canonicalizeObservable('sha256', 'abc'));

    expect(error).toBeInstanceOf(InvalidObservableError);
    expect(error.code).toBe('invalid_observable');
    expect(error.value).toBe('abc');
    expect(error.message).toContain('"abc"');
    expect(error.message).toContain('64 hex characters');
  });

  it('rejects values over the length limit', () => {
    const longUrl = `https://example.com/${'a'.repeat(MAX_OBSERVABLE_LENGTH)}`;

    expect(() => canonicalizeObservable('url', longUrl)).toThrow(/limit is 8192/);
  });

  it('abbreviates huge values in messages', () => {
    const error = catchError(() => canonicalizeObservable('domain', 'x'.repeat(10_000)));

    expect(error.message.length).toBeLessThan(300);
  });

  it('is idempotent on its own output', () => {
    const samples = fc.oneof(
      fc.ipV4().map((value) => ['ipv4', value] as const),
      fc.ipV6().map((value) => ['ipv6', value] as const),
      fc.domain().map((value) => ['domain', value] as const),
      fc.webUrl().map((value) => ['url', value] as const),
      fc.stringMatching(/^[0-9a-fA-F]{64}$/).map((value) => ['sha256', value] as const),
      fc.emailAddress().map((value) => ['email', value] as const),
    );
    fc.assert(
      fc.property(samples, ([type, raw]) => {
        let once;
        try {
          once = canonicalizeObservable(type, raw);
        } catch (error) {
          // Generators produce some values outside our rules (such as a one-label domain).
          if (error instanceof InvalidObservableError) return;
          throw error;
        }
        expect(canonicalizeObservable(type, once.value)).toEqual(once);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but InvalidObservableError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...OBSERVABLE_TYPES), fc.string(), (type, raw) => {
        try {
          canonicalizeObservable(type, raw);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidObservableError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseObservable', () => {
  it.each<[string, ObservableType, string]>([
    ['203.0.113.7', 'ipv4', '203.0.113.7'],
    ['2001:DB8::7', 'ipv6', '2001:db8::7'],
    ['d41d8cd98f00b204e9800998ecf8427e', 'md5', 'd41d8cd98f00b204e9800998ecf8427e'],
    [
      'da39a3ee5e6b4b0d3255bfef95601890afd80709',
      'sha1',
      'da39a3ee5e6b4b0d3255bfef95601890afd80709',
    ],
    [SHA256, 'sha256', SHA256],
    ['0'.repeat(128), 'sha512', '0'.repeat(128)],
    ['https://Example.com/login', 'url', 'https://example.com/login'],
    ['hxxp://example[.]net/x', 'url', 'http://example.net/x'],
    ['Alice@Example.org', 'email', 'alice@example.org'],
    ['Sub.Example.org', 'domain', 'sub.example.org'],
    ['example[.]com', 'domain', 'example.com'],
  ])('detects %j as %s', (raw, type, value) => {
    expect(parseObservable(raw)).toEqual({ type, value });
  });

  it.each(['hello', 'abc123', '', '   '])('rejects %j listing accepted forms', (raw) => {
    const error = catchError(() => parseObservable(raw));

    expect(error).toBeInstanceOf(InvalidObservableError);
    expect(error.message).toContain('Expected an IPv4 or IPv6 address');
    expect(error.message).toContain('domain name');
  });

  it('reports the detected type when the value is invalid', () => {
    expect(() => parseObservable('1.2.3')).toThrow(/is not a domain name/);
  });
});

describe('detectObservableType', () => {
  it('prefers a URL over an e-mail address', () => {
    expect(detectObservableType('http://user@example.com/')).toBe('url');
  });

  it('treats a 40-hex string as sha1, not a domain', () => {
    expect(detectObservableType('a'.repeat(40))).toBe('sha1');
  });
});

describe('hashTypeOf', () => {
  it.each([
    [32, 'md5'],
    [40, 'sha1'],
    [64, 'sha256'],
    [128, 'sha512'],
    [48, undefined],
  ])('maps %i hex characters to %s', (length, type) => {
    expect(hashTypeOf('0'.repeat(length))).toBe(type);
  });

  it('rejects non-hex characters', () => {
    expect(hashTypeOf('z'.repeat(32))).toBeUndefined();
  });
});

describe('refang', () => {
  it.each([
    ['hxxps://example[.]com', 'https://example.com'],
    ['HXXP://example(.)com', 'http://example.com'],
    ['192.0.2[.]1', '192.0.2.1'],
    ['user[@]example.com', 'user@example.com'],
    ['http[:]//example.com', 'http://example.com'],
  ])('refangs %j', (raw, expected) => {
    expect(refang(raw)).toBe(expected);
  });
});

function catchError(action: () => unknown): InvalidObservableError {
  try {
    action();
  } catch (error) {
    return error as InvalidObservableError;
  }
  throw new Error('expected the call to throw');
}
