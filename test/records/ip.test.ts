import fc from 'fast-check';
import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  cidrNetwork,
  compressIpv6,
  ipScope,
  isRoutableCidr,
  isRoutableIp,
  parseCidr,
  splitHostPort,
  unmapCidr,
  unmapIpv4,
  type IpScope,
} from '../../functions/records/ip.ts';

describe('ipScope', () => {
  it.each<[string, IpScope]>([
    ['8.8.8.8', 'public'],
    ['23.220.251.153', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.200', 'documentation'],
    ['203.0.113.255', 'documentation'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.17.0.17', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fd00::1', 'private'],
    ['fec0::1', 'private'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.255', 'shared'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['169.254.169.254', 'link_local'],
    ['fe80::1', 'link_local'],
    ['224.0.0.252', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['192.0.0.8', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['198.19.255.255', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.254', 'reserved'],
    ['100::1', 'reserved'],
    ['2001:2::1', 'reserved'],
  ])('puts %s in scope %s', (address, scope) => {
    expect(ipScope(address)).toBe(scope);
  });

  it.each<[string, IpScope]>([
    ['::ffff:10.0.0.1', 'private'],
    ['::FFFF:127.0.0.1', 'loopback'],
    ['::ffff:c633:6401', 'documentation'],
    ['0:0:0:0:0:ffff:255.255.255.255', 'broadcast'],
    ['::ffff:8.8.8.8', 'public'],
  ])('gives IPv4-mapped %s the scope %s of its IPv4 address', (address, scope) => {
    expect(ipScope(address)).toBe(scope);
  });

  it.each(['', 'example.com', '192.0.2', '192.0.2.1/24', '::ffff:999.0.0.1'])(
    'throws a TypeError for %j',
    (value) => {
      expect(() => ipScope(value)).toThrow(TypeError);
    },
  );

  it('checks scope boundaries on both sides', () => {
    expect(ipScope('172.15.255.255')).toBe('public');
    expect(ipScope('172.32.0.0')).toBe('public');
    expect(ipScope('100.63.255.255')).toBe('public');
    expect(ipScope('100.128.0.0')).toBe('public');
    expect(ipScope('223.255.255.255')).toBe('public');
  });
});

describe('isRoutableIp', () => {
  it.each([
    ['8.8.8.8', true],
    ['192.0.2.1', true],
    ['2001:db8::1', true],
    ['10.0.0.1', false],
    ['::ffff:192.168.0.1', false],
    ['224.0.0.252', false],
    ['255.255.255.255', false],
    ['0.0.0.0', false],
  ])('says %s is routable: %s', (address, routable) => {
    expect(isRoutableIp(address)).toBe(routable);
  });
});

describe('unmapIpv4', () => {
  it.each([
    ['::ffff:198.51.100.1', '198.51.100.1'],
    ['::FFFF:198.51.100.1', '198.51.100.1'],
    ['::ffff:c633:6401', '198.51.100.1'],
    ['0:0:0:0:0:ffff:c633:6401', '198.51.100.1'],
    ['0000:0000:0000:0000:0000:ffff:198.51.100.1', '198.51.100.1'],
    ['::ffff:0.0.0.0', '0.0.0.0'],
  ])('unmaps %s to %s', (address, expected) => {
    expect(unmapIpv4(address)).toBe(expected);
  });

  it.each([
    '198.51.100.1',
    '2001:db8::1',
    // IPv4-compatible (deprecated) and IPv4-translated addresses are not IPv4-mapped.
    '::198.51.100.1',
    '::ffff:0:198.51.100.1',
    '64:ff9b::198.51.100.1',
    '::ffff:198.51.100.1%eth0',
    'not an address',
  ])('leaves %s unchanged', (address) => {
    expect(unmapIpv4(address)).toBe(address);
  });
});

describe('compressIpv6', () => {
  it.each([
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0db8::0001', '2001:db8::1'],
    ['::', '::'],
  ])('compresses %s to %s', (address, expected) => {
    expect(compressIpv6(address)).toBe(expected);
  });
});

describe('splitHostPort', () => {
  it.each([
    ['192.0.2.1:443', '192.0.2.1', 443],
    [' 192.0.2.1:8080 ', '192.0.2.1', 8080],
    ['example.com:80', 'example.com', 80],
    ['[2001:db8::1]:443', '2001:db8::1', 443],
    ['[::ffff:192.0.2.1]:25', '::ffff:192.0.2.1', 25],
    // Bare IPv6 with a port, as some feeds write it: the last group is the port.
    ['2001:db8::1:443', '2001:db8::1', 443],
    ['2001:db8:::8080', '2001:db8::', 8080],
    ['192.0.2.1:1', '192.0.2.1', 1],
    ['192.0.2.1:65535', '192.0.2.1', 65_535],
    ['192.0.2.1:0443', '192.0.2.1', 443],
  ])('splits %j into %s and %i', (value, host, port) => {
    expect(splitHostPort(value)).toEqual({ host, port });
  });

  it.each([
    '192.0.2.1',
    '192.0.2.1:',
    ':443',
    '192.0.2.1:0',
    '192.0.2.1:65536',
    '192.0.2.1:99999',
    '192.0.2.1:123456',
    '192.0.2.1:-1',
    '192.0.2.1:http',
    '[2001:db8::1]',
    '[2001:db8::1]:',
    '[2001:db8::1]:70000',
    '[192.0.2.1]:80',
    '[example.com]:80',
    // Without a port a bare IPv6 address must not lose its last group.
    '2001:db8::1',
    '::1',
    '',
  ])('returns undefined for %j', (value) => {
    expect(splitHostPort(value)).toBeUndefined();
  });
});

describe('parseCidr', () => {
  it.each([
    ['198.51.100.0/24', { address: '198.51.100.0', prefix: 24, version: 4 }],
    [' 198.51.100.7/24 ', { address: '198.51.100.7', prefix: 24, version: 4 }],
    ['0.0.0.0/0', { address: '0.0.0.0', prefix: 0, version: 4 }],
    ['192.0.2.1/32', { address: '192.0.2.1', prefix: 32, version: 4 }],
    ['2001:db8::/32', { address: '2001:db8::', prefix: 32, version: 6 }],
    ['2001:DB8::1/128', { address: '2001:DB8::1', prefix: 128, version: 6 }],
    ['::ffff:192.0.2.0/120', { address: '::ffff:192.0.2.0', prefix: 120, version: 6 }],
  ])('parses %j', (value, expected) => {
    expect(parseCidr(value)).toEqual(expected);
  });

  it.each([
    '198.51.100.0',
    '198.51.100.0/',
    '198.51.100.0/33',
    '198.51.100.0/-1',
    '198.51.100.0/2a',
    '198.51.100/24',
    '198.51.100.0/24/8',
    '2001:db8::/129',
    'fe80::1%eth0/64',
    'example.com/24',
    '198.51.100.0 /24',
    '/24',
    '',
  ])('returns undefined for %j', (value) => {
    expect(parseCidr(value)).toBeUndefined();
  });
});

describe('cidrNetwork', () => {
  it.each([
    ['198.51.100.7/24', '198.51.100.0'],
    ['198.51.100.7/32', '198.51.100.7'],
    ['198.51.100.7/0', '0.0.0.0'],
    ['203.0.113.200/26', '203.0.113.192'],
    ['255.255.255.255/1', '128.0.0.0'],
    ['2001:DB8::1/32', '2001:db8::'],
    ['2001:db8:abcd:1234::1/48', '2001:db8:abcd::'],
    ['2001:db8::1/128', '2001:db8::1'],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/0', '::'],
    ['::ffff:192.0.2.77/120', '::ffff:c000:200'],
  ])('gives %s the network %s', (value, network) => {
    expect(cidrNetwork(parseCidr(value)!)).toBe(network);
  });

  it('keeps every address of a random IPv4 range inside it', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (address, prefix) => {
        const network = cidrNetwork({ address, prefix, version: 4 });

        expect(isIP(network)).toBe(4);
        expect(cidrNetwork({ address: network, prefix, version: 4 })).toBe(network);
      }),
    );
  });

  it('gives a valid IPv6 network for any address and prefix', () => {
    fc.assert(
      fc.property(fc.ipV6(), fc.integer({ min: 0, max: 128 }), (address, prefix) => {
        const network = cidrNetwork({ address, prefix, version: 6 });

        expect(isIP(network)).toBe(6);
        expect(cidrNetwork({ address: network, prefix, version: 6 })).toBe(network);
      }),
    );
  });
});

describe('unmapCidr', () => {
  it('turns an IPv4-mapped range into the IPv4 range', () => {
    expect(unmapCidr(parseCidr('::ffff:192.0.2.0/120')!)).toEqual({
      address: '192.0.2.0',
      prefix: 24,
      version: 4,
    });
  });

  it.each(['::ffff:192.0.2.0/95', '2001:db8::/120', '192.0.2.0/24'])('keeps %s', (value) => {
    const cidr = parseCidr(value)!;

    expect(unmapCidr(cidr)).toEqual(cidr);
  });
});

describe('isRoutableCidr', () => {
  it.each([
    ['198.51.100.0/24', true],
    ['8.8.8.0/24', true],
    ['1.0.0.0/8', true],
    ['2001:db8::/32', true],
    ['2606:4700::/32', true],
    ['10.0.0.0/8', false],
    ['10.1.0.0/16', false],
    // Starts and ends on public addresses but contains 10.0.0.0/8.
    ['8.0.0.0/6', false],
    ['0.0.0.0/0', false],
    ['192.0.0.0/16', false],
    ['224.0.0.0/24', false],
    ['::/0', false],
    ['fc00::/8', false],
    ['::ffff:10.0.0.0/104', false],
    ['::ffff:8.8.8.0/120', true],
  ])('says %s is routable: %s', (value, routable) => {
    expect(isRoutableCidr(parseCidr(value)!)).toBe(routable);
  });
});
