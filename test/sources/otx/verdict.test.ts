import { describe, expect, it } from 'vitest';
import type { OtxGeneral } from '../../../functions/sources/otx/schema.ts';
import {
  decideOtxVerdict,
  isWhitelisting,
  OTX_MALICIOUS_PULSES,
} from '../../../functions/sources/otx/verdict.ts';

const CLOUD = {
  source: 'cloud',
  name: 'Cloud Provider IP range',
  message: 'In cloud provider range: provider=azure',
};
const WHITELIST = {
  source: 'whitelist',
  name: 'Whitelisted IP',
  message: 'contained in whitelisted prefix',
};
const FALSE_POSITIVE = {
  source: 'false_positive',
  name: 'Known False Positive',
  message: 'Known False Positive',
};
const MAJESTIC = {
  source: 'majestic',
  name: 'Whitelisted domain',
  message: 'Whitelisted domain example.com',
};
const AKAMAI = { source: 'akamai', name: 'Akamai Popular Domain', message: 'Akamai rank: #120' };

function general(
  pulses: number,
  validation: OtxGeneral['validation'] = [],
  falsePositive: OtxGeneral['false_positive'] = [],
): OtxGeneral {
  return {
    indicator: '203.0.113.9',
    type: 'IPv4',
    pulse_info: { count: pulses },
    validation,
    false_positive: falsePositive,
  };
}

describe('decideOtxVerdict', () => {
  it.each([
    ['no pulses and no notes', general(0), 'Unknown'],
    ['one pulse', general(1), 'Suspicious'],
    ['two pulses', general(2), 'Malicious'],
    ['fifty pulses', general(50), 'Malicious'],
    ['a cloud range with 9 pulses', general(9, [CLOUD]), 'Suspicious'],
    ['a popular domain with 3 pulses', general(3, [AKAMAI]), 'Suspicious'],
    ['a cloud range without pulses', general(0, [CLOUD]), 'Unknown'],
    ['a whitelisted prefix with 50 pulses', general(50, [CLOUD, WHITELIST]), 'Clean'],
    ['a whitelisted address without pulses', general(0, [WHITELIST]), 'Clean'],
    ['a known false positive with 2 pulses', general(2, [FALSE_POSITIVE]), 'Clean'],
    ['a majestic whitelisted domain', general(4, [AKAMAI, MAJESTIC]), 'Clean'],
    ['an accepted false-positive report', general(5, [], [{ assessment: 'accepted' }]), 'Clean'],
    ['a pending false-positive report', general(5, [], [{ assessment: 'pending' }]), 'Malicious'],
    ['no validation member at all', { ...general(3), validation: undefined }, 'Malicious'],
  ])('judges %s', (_case, input, finding) => {
    expect(decideOtxVerdict(input).finding).toBe(finding);
  });

  it('keeps the threshold at the XSOAR default', () => {
    expect(OTX_MALICIOUS_PULSES).toBe(2);
  });

  it('names the whitelisting entry in the reason', () => {
    expect(decideOtxVerdict(general(50, [CLOUD, WHITELIST])).reason).toContain(
      'Whitelisted IP: contained in whitelisted prefix',
    );
  });
});

describe('isWhitelisting', () => {
  it.each([
    [WHITELIST, true],
    [FALSE_POSITIVE, true],
    [MAJESTIC, true],
    [{ source: 'alexa', name: 'Alexa rank', message: 'Whitelisted domain example.com' }, true],
    [CLOUD, false],
    [AKAMAI, false],
    [{}, false],
  ])('reads %j as %s', (validation, expected) => {
    expect(isWhitelisting(validation)).toBe(expected);
  });
});
