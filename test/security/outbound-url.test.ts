import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkInstanceUrl,
  checkOutboundUrl,
  isLoopbackHost,
  type InstanceUrlPolicy,
} from '../../functions/credentials/instance-url.ts';

const production: InstanceUrlPolicy = { allowedHosts: [], localMode: false };
const local: InstanceUrlPolicy = { allowedHosts: [], localMode: true };

/** A policy whose allow-list names the host, as a careless or hostile configuration would. */
const listing = (host: string, localMode = false): InstanceUrlPolicy => ({
  allowedHosts: [host],
  localMode,
});

describe('checkInstanceUrl rejects internal addresses', () => {
  it.each([
    // The instance metadata service, in every notation the URL parser reads as 169.254.169.254.
    ['https://169.254.169.254', listing('169.254.169.254'), 'IP address 169.254.169.254'],
    ['https://2852039166', listing('169.254.169.254'), 'IP address 169.254.169.254'],
    ['https://0xa9fea9fe', listing('2852039166'), 'IP address 169.254.169.254'],
    ['https://0251.0376.0251.0376', production, 'IP address 169.254.169.254'],
    ['https://0xa9.0xfe.0xa9.0xfe', production, 'IP address 169.254.169.254'],
    ['https://169.254.43518', production, 'IP address 169.254.169.254'],
    [
      'https://[::ffff:169.254.169.254]',
      listing('[::ffff:a9fe:a9fe]'),
      'IP address [::ffff:a9fe:a9fe]',
    ],
    ['https://[fd00:ec2::254]', listing('[fd00:ec2::254]'), 'IP address [fd00:ec2::254]'],
    ['https://[FD00:EC2:0:0:0:0:0:254]', production, 'IP address [fd00:ec2::254]'],
    ['https://[fe80::1]', listing('[fe80::1]'), 'IP address [fe80::1]'],
    ['https://[64:ff9b::a9fe:a9fe]', production, 'IP address'],
    ['https://[::a9fe:a9fe]', production, 'IP address'],
    ['https://10.0.0.5', listing('10.0.0.5'), 'IP address 10.0.0.5'],
    ['https://192.168.1.1:8443', listing('192.168.1.1'), 'IP address 192.168.1.1'],
    ['https://0x7f000001', listing('127.0.0.1'), 'IP address 127.0.0.1'],
    ['https://0', production, 'IP address 0.0.0.0'],
    ['https://8.8.8.8', listing('8.8.8.8'), 'IP address 8.8.8.8'],
    ['https://[::1]', listing('[::1]'), 'IP address [::1]'],
    ['https://localhost', listing('localhost'), 'local or internal name'],
    ['https://localhost.', listing('localhost.'), 'ends with a dot'],
    ['https://LOCALHOST', listing('localhost'), 'local or internal name'],
    ['https://admin.localhost', listing('admin.localhost'), 'local or internal name'],
    [
      'https://metadata.google.internal',
      listing('metadata.google.internal'),
      'local or internal name',
    ],
    ['https://printer.local', listing('printer.local'), 'local or internal name'],
    ['https://instance-data', listing('instance-data'), 'local or internal name'],
    ['https://acme.service-now.com.', production, 'ends with a dot'],
    ['http://169.254.169.254', local, 'plain http'],
    ['http://[fd00:ec2::254]', local, 'plain http'],
    ['http://10.0.0.1:3001', local, 'plain http'],
    ['http://localhost:3001', production, 'plain http'],
    ['https://127.0.0.1:3001', local, 'instance.allowedHosts'],
  ])('%s', (value, policy, problem) => {
    expect(() => checkInstanceUrl(value, policy)).toThrow(problem);
  });
});

describe('checkInstanceUrl rejects look-alike hosts', () => {
  it.each([
    // The part before "@" is a user name; the host is the attacker's.
    ['https://acme.service-now.com@evil.example', 'user name or password'],
    ['https://acme.service-now.com:pw@evil.example', 'user name or password'],
    ['https://:@evil.example', 'instance.allowedHosts'],
    ['https://evil.example#@acme.service-now.com', 'host "evil.example"'],
    ['https://evil.example?@acme.service-now.com', 'host "evil.example"'],
    ['https://evil.example\\@acme.service-now.com', 'host "evil.example"'],
    ['https://evil.example/acme.service-now.com', 'host "evil.example"'],
    ['https://acme.service-now.com/#@evil.example', 'fragment'],
    ['https://acme.service-now.com/?next=//evil.example', 'query'],
    ['https://acme.service-now.com%2eevil.example', 'instance.allowedHosts'],
    ['https://acme.service-now.com\u3002evil.example', 'instance.allowedHosts'],
    ['https://acme.service-now.com.evil.example', 'instance.allowedHosts'],
    ['https://xn--acme-service-now-com.example', 'not an absolute URL'],
    ['https://xn--cme-service-now-7ob.com', 'instance.allowedHosts'],
    ['https://evilservice-now.com', 'instance.allowedHosts'],
    ['https://service-now.com', 'instance.allowedHosts'],
    ['https://.service-now.com', 'instance.allowedHosts'],
    ['file:///etc/passwd', 'use https'],
    ['javascript:alert(1)', 'use https'],
    ['gopher://acme.service-now.com', 'use https'],
    ['//acme.service-now.com', 'not an absolute URL'],
  ])('%s', (value, problem) => {
    expect(() => checkInstanceUrl(value, production)).toThrow(problem);
  });
});

describe('checkInstanceUrl accepts', () => {
  it.each([
    ['https://acme.service-now.com', production, 'https://acme.service-now.com'],
    ['https://ACME.service-now.com:443/', production, 'https://acme.service-now.com'],
    [
      'https://servicenow.example.org',
      listing('ServiceNow.Example.org'),
      'https://servicenow.example.org',
    ],
    ['http://127.0.0.1:3001', local, 'http://127.0.0.1:3001'],
    ['http://2130706433:3001', local, 'http://127.0.0.1:3001'],
    ['http://localhost.:3001', local, 'http://localhost.:3001'],
    ['https://127.0.0.1:3443', listing('127.0.0.1', true), 'https://127.0.0.1:3443'],
  ])('%s', (value, policy, origin) => {
    expect(checkInstanceUrl(value, policy)).toBe(origin);
  });
});

describe('checkOutboundUrl', () => {
  const vendor = {
    allowedDomains: ['.virustotal.com'],
    allowedHosts: [],
    allowedHostsKey: 'pulls.virustotal.allowedHosts',
    localMode: false,
  };

  it('accepts a vendor API base URL with a path', () => {
    expect(checkOutboundUrl('https://www.virustotal.com/api/v3', vendor).href).toBe(
      'https://www.virustotal.com/api/v3',
    );
  });

  it('names the setting to change for another host', () => {
    expect(() => checkOutboundUrl('https://evil.example/api/v3', vendor)).toThrow(
      /not a \*\.virustotal\.com host; .*pulls\.virustotal\.allowedHosts/,
    );
  });

  it('allows no IP host whatever the allow-list names', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.ipV4(),
          fc.ipV4Extended(),
          fc.ipV6().map((ip) => `[${ip}]`),
        ),
        (host) => {
          const policy = { ...vendor, allowedHosts: [host] };

          expect(() => checkOutboundUrl(`https://${host}/`, policy)).toThrow(TypeError);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('throws only TypeError on arbitrary text', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.webUrl({ withQueryParameters: true, withFragments: true })),
        (value) => {
          try {
            checkOutboundUrl(value, vendor);
          } catch (error) {
            expect(error).toBeInstanceOf(TypeError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('isLoopbackHost', () => {
  it.each(['localhost', 'localhost.', '127.0.0.1', '127.1.2.3', '[::1]'])('accepts %s', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each([
    'localhost.example.com',
    '0.0.0.0',
    '[::ffff:7f00:1]',
    '169.254.169.254',
    'localhost..',
  ])('rejects %s', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});
