import { describe, expect, it } from 'vitest';
import type { ObservableType } from '../../../functions/records/observable.ts';
import {
  decideIocVerdict,
  THREATFOX_MALICIOUS_CONFIDENCE,
} from '../../../functions/sources/threatfox/verdict.ts';

describe('decideIocVerdict', () => {
  it.each([
    [100, false, 'ipv4', 'Malicious'],
    [75, false, 'domain', 'Malicious'],
    [74, false, 'domain', 'Suspicious'],
    [50, false, 'url', 'Suspicious'],
    [0, false, 'sha256', 'Suspicious'],
    [undefined, false, 'ipv6', 'Suspicious'],
    [100, true, 'domain', 'Suspicious'],
    [100, true, 'ipv4', 'Suspicious'],
    [100, true, 'email', 'Suspicious'],
    [100, true, 'url', 'Malicious'],
    [100, true, 'md5', 'Malicious'],
    [50, true, 'url', 'Suspicious'],
  ] as [number | undefined, boolean, ObservableType, string][])(
    'confidence %j, compromised %j, %s gives %s',
    (confidence, compromised, observableType, finding) => {
      expect(decideIocVerdict({ confidence, compromised, observableType }).finding).toBe(finding);
    },
  );

  it('keeps the threshold at the XSOAR feed default', () => {
    expect(THREATFOX_MALICIOUS_CONFIDENCE).toBe(75);
  });

  it('names confidence and threshold in the reason', () => {
    const { reason } = decideIocVerdict({
      confidence: 60,
      compromised: false,
      observableType: 'url',
    });

    expect(reason).toContain('60');
    expect(reason).toContain('75');
  });
});
