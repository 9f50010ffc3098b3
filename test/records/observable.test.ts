import { describe, expect, it } from 'vitest';
import {
  canonicalizeObservable,
  detectObservableType,
  hashTypeOf,
  InvalidObservableError,
  MAX_OBSERVABLE_LENGTH,
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
    ['email', 'carol[at]example[dot]net', 'carol@example.net'],
    ['email', 'dave[AT]münchen[DOT]example', 'dave@xn--mnchen-3ya.example'],
    ['domain', 'example[dot]com', 'example.com'],
    ['domain', 'example(.)com', 'example.com'],
    ['domain', 'BÜCHER.example', 'xn--bcher-kva.example'],
    ['domain', 'xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['url', 'hxxp[:]//example[.]com/a', 'http://example.com/a'],
    ['url', 'hxxps[://]example[dot]com/a', 'https://example.com/a'],
    ['url', 'HXXPS://EXAMPLE.com/A', 'https://example.com/A'],
    ['url', 'http://user[at]example.com/', 'http://user@example.com/'],
    ['url', 'http://example.com\\a', 'http://example.com\\a'],
    ['url', 'http://ex%41mple.com/', 'http://example.com/'],
    ['url', 'http://[::ffff:198.51.100.1]/', 'http://[::ffff:c633:6401]/'],
    ['ipv6', '2001:0db8:0000::0001', '2001:db8::1'],
    ['cidr', '198.51.100.0/24', '198.51.100.0/24'],
    ['cidr', '198.51.100.7/24', '198.51.100.0/24'],
    ['cidr', ' 203.0.113.77/32 ', '203.0.113.77/32'],
    ['cidr', '198.51.100[.]0/24', '198.51.100.0/24'],
    ['cidr', '0.0.0.0/0', '0.0.0.0/0'],
    ['cidr', '2001:DB8::1/32', '2001:db8::/32'],
    ['cidr', '2001:db8:0:0:0:0:0:0/64', '2001:db8::/64'],
    ['cidr', '198.51.100.0/024', '198.51.100.0/24'],
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
    ['email', 'a\u0000b@example.com'],
    ['email', `${'a'.repeat(65)}@example.com`],
    ['url', 'http://example.com/a\nb'],
    ['url', 'http://example.com/\u007f'],
    ['url', 'http://us[[.]]er@example.com/'],
    ['domain', 'example[[.]]com'],
    ['cidr', '198.51.100.0'],
    ['cidr', '198.51.100.0/33'],
    ['cidr', '2001:db8::/129'],
    ['cidr', 'example.com/24'],
    ['cidr', 'fe80::1%eth0/64'],
    ['ipv4', '192.0.2.1/32'],
    ['ipv6', '2001:db8::/32'],
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

  it.each<[ObservableType, string]>([
    ['ipv4', '::ffff:198.51.100.1'],
    ['ipv6', '::ffff:198.51.100.1'],
    ['ipv6', '::FFFF:C633:6401'],
    ['ipv6', '0:0:0:0:0:ffff:198.51.100.1'],
  ])('turns IPv4-mapped %s %s into ipv4', (type, raw) => {
    expect(canonicalizeObservable(type, raw)).toEqual({ type: 'ipv4', value: '198.51.100.1' });
  });

  it('turns an IPv4-mapped range into an IPv4 range', () => {
    expect(canonicalizeObservable('cidr', '::ffff:198.51.100.7/120')).toEqual({
      type: 'cidr',
      value: '198.51.100.0/24',
    });
  });

  it('keeps an IPv4-mapped range shorter than /96 as IPv6', () => {
    expect(canonicalizeObservable('cidr', '::ffff:0:0/80')).toEqual({
      type: 'cidr',
      value: '::/80',
    });
  });

  it('says why a twice-defanged value is rejected', () => {
    expect(() => canonicalizeObservable('domain', 'example[[.]]com')).toThrow(/defanged twice/);
  });

  it('says why a value with a control character is rejected', () => {
    expect(() => canonicalizeObservable('url', 'http://example.com/\u0007')).toThrow(
      /control character/,
    );
  });

  it('rejects values over the length limit', () => {
    const longUrl = `https://example.com/${'a'.repeat(MAX_OBSERVABLE_LENGTH)}`;

    expect(() => canonicalizeObservable('url', longUrl)).toThrow(/limit is 8192/);
  });

  it('abbreviates huge values in messages', () => {
    const error = catchError(() => canonicalizeObservable('domain', 'x'.repeat(10_000)));

    expect(error.message.length).toBeLessThan(300);
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
    ['198.51.100.0/24', 'cidr', '198.51.100.0/24'],
    ['2001:db8::/32', 'cidr', '2001:db8::/32'],
    ['::ffff:198.51.100.1', 'ipv4', '198.51.100.1'],
    ['hxxp[:]//example[.]org/x', 'url', 'http://example.org/x'],
    ['alice[at]example[dot]org', 'email', 'alice@example.org'],
  ])('detects %j as %s', (raw, type, value) => {
    expect(parseObservable(raw)).toEqual({ type, value });
  });

  it.each(['hello', 'abc123', '', '   '])('rejects %j listing accepted forms', (raw) => {
    const error = catchError(() => parseObservable(raw));

    expect(error).toBeInstanceOf(InvalidObservableError);
    expect(error.message).toContain('Expected an IPv4 or IPv6 address');
    expect(error.message).toContain('domain name');
  });

  it.each([
    ['1.2.3.4:8080', 'an IP address with port 8080', '"1.2.3.4"', '"http://1.2.3.4:8080/"'],
    ['[::1]:443', 'an IP address with port 443', '"::1"', '"http://[::1]:443/"'],
    ['[2001:db8::7]:8443', 'an IP address with port 8443', '"2001:db8::7"', '[2001:db8::7]:8443/'],
    ['198.51.100[.]7:22', 'an IP address with port 22', '"198.51.100.7"', '198.51.100.7:22/'],
    ['example.com:8080', 'a domain name with port 8080', '"example.com"', 'example.com:8080/'],
  ])('rejects %j naming the port', (raw, problem, host, url) => {
    const error = catchError(() => parseObservable(raw));

    expect(error).toBeInstanceOf(InvalidObservableError);
    expect(error.message).toContain(problem);
    expect(error.message).toContain('have no port');
    expect(error.message).toContain(`send ${host} alone`);
    expect(error.message).toContain(url);
  });

  it.each([
    ['ipv4', '192.0.2.1:8080'],
    ['ipv6', '[2001:db8::1]:443'],
    ['domain', 'example.com:443'],
  ] as const)('rejects a typed %s with a port', (type, value) => {
    const error = catchError(() => canonicalizeObservable(type, value));
    expect(error.message).toContain('have no port');
  });

  it('reads a bare IPv6 ending in a group as the address', () => {
    expect(parseObservable('2001:db8::1:443')).toEqual({ type: 'ipv6', value: '2001:db8::1:443' });
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
    ['hxxp[://]example.com', 'http://example.com'],
    ['hxxps[:]//example.com', 'https://example.com'],
    ['example[dot]com', 'example.com'],
    ['example[DOT]com', 'example.com'],
    ['user[at]example.com', 'user@example.com'],
    ['user[AT]example.com', 'user@example.com'],
    ['[[.]]', '[.]'],
  ])('refangs %j', (raw, expected) => {
    expect(refang(raw)).toBe(expected);
  });

  it.each(['hxxpuser@example.com', 'hxxp', 'example.com/hxxp://x', 'a[.b]c'])(
    'leaves %j as it is',
    (raw) => {
      expect(refang(raw)).toBe(raw);
    },
  );
});

function catchError(action: () => unknown): InvalidObservableError {
  try {
    action();
  } catch (error) {
    return error as InvalidObservableError;
  }
  throw new Error('expected the call to throw');
}
