import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../functions/records/finding.ts';
import type { Observable } from '../../../functions/records/observable.ts';
import { guardNonRoutable, observableIpScope } from '../../../functions/sources/shared/verdict.ts';

const malicious = { finding: 'Malicious' as Finding, reason: 'The vendor flagged it.' };

describe('guardNonRoutable', () => {
  it.each<[Observable, string]>([
    [{ type: 'ipv4', value: '10.0.0.1' }, 'private'],
    [{ type: 'ipv4', value: '127.0.0.1' }, 'loopback'],
    [{ type: 'ipv4', value: '224.0.0.252' }, 'multicast'],
    [{ type: 'ipv4', value: '255.255.255.255' }, 'broadcast'],
    [{ type: 'ipv4', value: '0.0.0.0' }, 'an unspecified'],
    [{ type: 'ipv4', value: '169.254.169.254' }, 'link-local'],
    [{ type: 'ipv6', value: 'fe80::1' }, 'link-local'],
    [{ type: 'ipv6', value: 'fd00::1' }, 'private'],
  ])('turns Malicious on %j into Unknown', (observable, scope) => {
    const verdict = guardNonRoutable(observable, malicious);

    expect(verdict.finding).toBe('Unknown');
    expect(verdict.reason).toContain(scope);
    expect(verdict.reason).toContain('Malicious verdict is not applied');
    expect(verdict.reason).toContain(malicious.reason);
  });

  it('turns Suspicious on a private address into Unknown', () => {
    const verdict = guardNonRoutable(
      { type: 'ipv4', value: '192.168.1.1' },
      { finding: 'Suspicious', reason: 'Reported twice.' },
    );

    expect(verdict.finding).toBe('Unknown');
  });

  it.each<Finding>(['Clean', 'Unknown'])('keeps %s on a private address', (finding) => {
    const verdict = { finding, reason: 'No reports.' };

    expect(guardNonRoutable({ type: 'ipv4', value: '10.0.0.1' }, verdict)).toBe(verdict);
  });

  it.each<Observable>([
    { type: 'ipv4', value: '8.8.8.8' },
    { type: 'ipv4', value: '192.0.2.1' },
    { type: 'ipv6', value: '2001:db8::1' },
    { type: 'cidr', value: '198.51.100.0/24' },
    { type: 'domain', value: 'example.com' },
    { type: 'sha256', value: 'a'.repeat(64) },
  ])('keeps Malicious on %j', (observable) => {
    expect(guardNonRoutable(observable, malicious)).toBe(malicious);
  });

  it.each(['10.0.0.0/8', '8.0.0.0/6', '0.0.0.0/0', 'fc00::/7'])(
    'turns Malicious on the range %s into Unknown',
    (value) => {
      const verdict = guardNonRoutable({ type: 'cidr', value }, malicious);

      expect(verdict.finding).toBe('Unknown');
      expect(verdict.reason).toContain('contains addresses that are not routed');
    },
  );
});

describe('observableIpScope', () => {
  it.each<[Observable, string | undefined]>([
    [{ type: 'ipv4', value: '172.17.0.17' }, 'private'],
    [{ type: 'ipv6', value: '2001:db8::1' }, 'documentation'],
    [{ type: 'cidr', value: '10.0.0.0/8' }, 'private'],
    [{ type: 'cidr', value: '198.51.100.0/24' }, 'documentation'],
    [{ type: 'domain', value: 'example.com' }, undefined],
  ])('gives %j the scope %s', (observable, scope) => {
    expect(observableIpScope(observable)).toBe(scope);
  });
});
