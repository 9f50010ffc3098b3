import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../functions/records/finding.ts';
import {
  decideGreyNoiseVerdict,
  type GreyNoiseSignals,
} from '../../../functions/sources/greynoise/verdict.ts';

describe('decideGreyNoiseVerdict', () => {
  it.each<[string, GreyNoiseSignals, Finding]>([
    ['malicious noise', { classification: 'malicious', noise: true }, 'Malicious'],
    ['malicious in upper case', { classification: 'MALICIOUS', noise: true }, 'Malicious'],
    [
      'malicious in RIOT with trust 1',
      { classification: 'malicious', riot: true, trustLevel: '1' },
      'Malicious',
    ],
    ['suspicious noise', { classification: 'suspicious', noise: true }, 'Suspicious'],
    ['benign noise', { classification: 'benign', noise: true }, 'Clean'],
    ['benign RIOT', { classification: 'benign', riot: true }, 'Clean'],
    ['unknown noise', { classification: 'unknown', noise: true }, 'Unknown'],
    [
      'unknown noise in RIOT with trust 1',
      { classification: 'unknown', noise: true, riot: true, trustLevel: '1' },
      'Clean',
    ],
    ['RIOT with trust 1', { riot: true, trustLevel: '1' }, 'Clean'],
    ['RIOT with trust 2', { riot: true, trustLevel: '2' }, 'Unknown'],
    ['RIOT with trust 3', { riot: true, trustLevel: '3' }, 'Unknown'],
    ['RIOT without a trust level', { riot: true }, 'Unknown'],
    ['trust 1 outside RIOT', { riot: false, trustLevel: '1' }, 'Unknown'],
    ['neither noise nor RIOT', { noise: false, riot: false }, 'Unknown'],
    ['nothing at all', {}, 'Unknown'],
    [
      'a classification GreyNoise may add later',
      { classification: 'novel', noise: true },
      'Unknown',
    ],
  ])('gives %s the finding %s', (_case, signals, finding) => {
    expect(decideGreyNoiseVerdict(signals).finding).toBe(finding);
  });

  it('explains why unknown scanning is no verdict', () => {
    const verdict = decideGreyNoiseVerdict({ classification: 'unknown', noise: true });

    expect(verdict.reason).toContain('mass scanning alone is not a verdict');
  });

  it('explains why no data is not Clean', () => {
    const verdict = decideGreyNoiseVerdict({ noise: false, riot: false });

    expect(verdict.reason).toContain('no data');
    expect(verdict.reason).toContain('Unknown, not Clean');
  });

  it('names the RIOT trust level it did not trust', () => {
    const verdict = decideGreyNoiseVerdict({ riot: true, trustLevel: '2' });

    expect(verdict.reason).toContain('trust level 2');
  });
});
