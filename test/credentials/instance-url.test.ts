import { describe, expect, it } from 'vitest';
import { checkInstanceUrl, isLoopbackHost } from '../../functions/credentials/instance-url.ts';

const production = { allowedHosts: [], localMode: false };
const local = { allowedHosts: [], localMode: true };
const customDomain = { allowedHosts: ['servicenow.example.org'], localMode: false };

describe('checkInstanceUrl', () => {
  it.each([
    ['https://acme.service-now.com', production, 'https://acme.service-now.com'],
    ['https://acme.service-now.com/', production, 'https://acme.service-now.com'],
    ['https://ACME.Service-Now.com', production, 'https://acme.service-now.com'],
    ['https://acme.servicenow.com', production, 'https://acme.servicenow.com'],
    ['https://acme.eu.service-now.com', production, 'https://acme.eu.service-now.com'],
    ['https://servicenow.example.org', customDomain, 'https://servicenow.example.org'],
    ['https://ServiceNow.Example.org:8443', customDomain, 'https://servicenow.example.org:8443'],
    ['http://127.0.0.1:3001', local, 'http://127.0.0.1:3001'],
    ['http://127.8.9.10:3001/', local, 'http://127.8.9.10:3001'],
    ['http://localhost:3001', local, 'http://localhost:3001'],
    ['http://[::1]:3001', local, 'http://[::1]:3001'],
  ])('accepts %s', (value, policy, origin) => {
    expect(checkInstanceUrl(value, policy)).toBe(origin);
  });

  it.each([
    ['acme.service-now.com', production, 'is not an absolute URL'],
    [
      'https://user:pw@acme.service-now.com',
      production,
      'must not contain a user name or password',
    ],
    ['https://acme.service-now.com/api/now', production, 'without a path'],
    ['https://acme.service-now.com/?x=1', production, 'without a path, query'],
    ['https://acme.service-now.com/#top', production, 'fragment'],
    ['http://acme.service-now.com', production, 'plain http'],
    ['http://127.0.0.1:3001', production, 'plain http'],
    ['http://10.0.0.5:3001', local, 'plain http'],
    ['http://localhost.example.com', local, 'plain http'],
    ['ftp://acme.service-now.com', production, 'use https'],
    ['https://service-now.com', production, 'instance.allowedHosts'],
    ['https://acme.service-now.com.evil.example', production, 'instance.allowedHosts'],
    ['https://evilservice-now.com', production, 'instance.allowedHosts'],
    ['https://sub.servicenow.example.org', customDomain, 'instance.allowedHosts'],
    ['https://127.0.0.1:3001', local, 'instance.allowedHosts'],
  ])('rejects %s', (value, policy, problem) => {
    expect(() => checkInstanceUrl(value, policy)).toThrow(problem);
  });

  it('tells the fix for an unknown host', () => {
    expect(() => checkInstanceUrl('https://snow.example.org', production)).toThrow(
      /add the exact host to instance\.allowedHosts/,
    );
  });
});

describe('isLoopbackHost', () => {
  it.each(['localhost', '127.0.0.1', '127.255.255.254', '[::1]', '::1'])('accepts %s', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['128.0.0.1', '10.0.0.1', '[::2]', 'localhost.example.com', '0.0.0.0'])(
    'rejects %s',
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );
});
