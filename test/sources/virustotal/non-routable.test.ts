import { describe, expect, it } from 'vitest';
import { virusTotalSource } from '../../../functions/sources/virustotal/index.ts';
import { recordsOf } from '../run-source.ts';

function ipReport(address: string) {
  return {
    data: {
      type: 'ip_address',
      id: address,
      attributes: {
        last_analysis_stats: { malicious: 20, suspicious: 2, harmless: 50, undetected: 10 },
      },
    },
  };
}

describe('virustotal on addresses not routed', () => {
  it.each(['10.0.0.1', '127.0.0.1', '224.0.0.252', '::ffff:192.168.0.1', 'fe80::1'])(
    'records Unknown instead of Malicious for %s',
    (address) => {
      const [lookup] = recordsOf(virusTotalSource, ipReport(address));

      expect(lookup?.kind).toBe('threat_lookup_result');
      if (lookup?.kind !== 'threat_lookup_result') return;
      expect(lookup.finding).toBe('Unknown');
      expect(lookup.summary).toContain("the vendor's Malicious verdict is not applied");
      expect(lookup.summary).toContain('20 malicious detections');
    },
  );

  it('keeps Malicious for a public address', () => {
    const [lookup] = recordsOf(virusTotalSource, ipReport('203.0.113.9'));

    expect(lookup?.kind).toBe('threat_lookup_result');
    if (lookup?.kind !== 'threat_lookup_result') return;
    expect(lookup.finding).toBe('Malicious');
  });
});
