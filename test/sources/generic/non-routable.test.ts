import { describe, expect, it } from 'vitest';
import { genericSource } from '../../../functions/sources/generic/index.ts';

function normalize(observable: string, finding: string) {
  const payload = genericSource.payloadSchema.parse({
    kind: 'threat_lookup_result',
    observable,
    finding,
    source: 'Feed',
    summary: 'Seen scanning.',
  });
  return genericSource.normalize(payload, { receivedAt: new Date() });
}

describe('generic verdicts on unrouted addresses', () => {
  it.each([
    ['10.0.0.1', 'Malicious'],
    ['127.0.0.1', 'Suspicious'],
    ['192.168.1.1', 'Malicious'],
    ['224.0.0.1', 'Malicious'],
    ['fe80::1', 'Malicious'],
  ])('turns %s %s into Unknown with the reason', (address, finding) => {
    const [record] = normalize(address, finding);
    expect(record).toMatchObject({ finding: 'Unknown' });
    expect(record?.kind === 'threat_lookup_result' && record.summary).toContain(
      'not routed on the internet',
    );
    expect(record?.kind === 'threat_lookup_result' && record.summary).toContain('Seen scanning.');
  });

  it.each([
    ['198.51.100.7', 'Malicious'],
    ['10.0.0.1', 'Clean'],
  ])('keeps %s %s as sent', (address, finding) => {
    expect(normalize(address, finding)[0]).toMatchObject({ finding, summary: 'Seen scanning.' });
  });
});
