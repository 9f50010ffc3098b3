import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../functions/records/finding.ts';
import type { IpScope } from '../../../functions/records/ip.ts';
import {
  ABUSEIPDB_THRESHOLDS,
  decideAbuseIpDbVerdict,
  type AbuseIpDbVerdictInput,
} from '../../../functions/sources/abuseipdb/verdict.ts';

function input(overrides: Partial<AbuseIpDbVerdictInput>): AbuseIpDbVerdictInput {
  return {
    abuseConfidenceScore: 0,
    totalReports: 5,
    isPublic: true,
    scope: 'public',
    ...overrides,
  };
}

describe('decideAbuseIpDbVerdict', () => {
  it.each<[string, Partial<AbuseIpDbVerdictInput>, Finding]>([
    ['score 100', { abuseConfidenceScore: 100 }, 'Malicious'],
    ['score 80, the Malicious threshold', { abuseConfidenceScore: 80 }, 'Malicious'],
    ['score 79', { abuseConfidenceScore: 79 }, 'Suspicious'],
    ['score 20, the Suspicious threshold', { abuseConfidenceScore: 20 }, 'Suspicious'],
    ['score 19 with reports', { abuseConfidenceScore: 19 }, 'Clean'],
    ['score 0 with reports', { abuseConfidenceScore: 0, totalReports: 3 }, 'Clean'],
    ['score 0 without reports', { abuseConfidenceScore: 0, totalReports: 0 }, 'Unknown'],
    ['score 90 without reports', { abuseConfidenceScore: 90, totalReports: 0 }, 'Unknown'],
    [
      'score 5 without a report count',
      { totalReports: undefined, abuseConfidenceScore: 5 },
      'Unknown',
    ],
    [
      'score 85 without a report count',
      { totalReports: undefined, abuseConfidenceScore: 85 },
      'Malicious',
    ],
    [
      'score 30 without a report count',
      { totalReports: undefined, abuseConfidenceScore: 30 },
      'Suspicious',
    ],
    ['isPublic false', { isPublic: false, abuseConfidenceScore: 100 }, 'Unknown'],
    ['isPublic false with score 0', { isPublic: false, totalReports: 188 }, 'Unknown'],
    ['isPublic missing', { isPublic: undefined, abuseConfidenceScore: 100 }, 'Malicious'],
    ['a documentation address', { scope: 'documentation', abuseConfidenceScore: 100 }, 'Malicious'],
  ])('gives %s the finding %s', (_case, overrides, finding) => {
    expect(decideAbuseIpDbVerdict(input(overrides)).finding).toBe(finding);
  });

  it.each<IpScope>([
    'private',
    'shared',
    'loopback',
    'link_local',
    'multicast',
    'broadcast',
    'unspecified',
    'reserved',
  ])('gives a %s address Unknown whatever the score', (scope) => {
    for (const abuseConfidenceScore of [0, 50, 100]) {
      const verdict = decideAbuseIpDbVerdict(input({ scope, abuseConfidenceScore }));

      expect(verdict.finding).toBe('Unknown');
      expect(verdict.reason).toContain('not routed on the internet');
    }
  });

  it('names the threshold a score reaches', () => {
    const verdict = decideAbuseIpDbVerdict(input({ abuseConfidenceScore: 92 }));

    expect(verdict.reason).toBe(
      `The score 92 reaches the Malicious threshold of ${ABUSEIPDB_THRESHOLDS.malicious}.`,
    );
  });

  it('says why no reports is not Clean', () => {
    const verdict = decideAbuseIpDbVerdict(input({ totalReports: 0 }));

    expect(verdict.reason).toContain('Unknown, not Clean');
  });

  it('says why a non-public address is Unknown', () => {
    const verdict = decideAbuseIpDbVerdict(input({ isPublic: false }));

    expect(verdict.reason).toContain('isPublic false');
  });
});
