import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../functions/records/finding.ts';
import {
  countEnginesWithResult,
  decideVerdict,
  VIRUSTOTAL_THRESHOLDS,
  type ReportType,
  type VerdictInput,
} from '../../../functions/sources/virustotal/verdict.ts';

const stats = (malicious: number, suspicious = 0, harmless = 60, undetected = 10) => ({
  malicious,
  suspicious,
  harmless,
  undetected,
  timeout: 0,
});
const popular = { Majestic: { rank: 29 }, 'Cisco Umbrella': { rank: 2609 } };
const unpopular = { Majestic: { rank: 15_000 }, 'Cisco Umbrella': { rank: 9_000 } };
const NETWORK_TYPES: ReportType[] = ['url', 'domain', 'ip_address'];

describe('decideVerdict thresholds', () => {
  it.each<[string, Partial<VerdictInput>, Finding]>([
    ['10 malicious', { stats: stats(10) }, 'Malicious'],
    ['9 malicious', { stats: stats(9) }, 'Suspicious'],
    ['5 malicious', { stats: stats(5) }, 'Suspicious'],
    ['4 malicious', { stats: stats(4) }, 'Clean'],
    ['3 malicious + 2 suspicious', { stats: stats(3, 2) }, 'Suspicious'],
    ['0 malicious + 5 suspicious', { stats: stats(0, 5) }, 'Suspicious'],
    ['0 malicious + 4 suspicious', { stats: stats(0, 4) }, 'Clean'],
    ['all harmless', { stats: stats(0) }, 'Clean'],
  ])('%s → %s for every type', (_case, input, expected) => {
    for (const type of [...NETWORK_TYPES, 'file'] as ReportType[]) {
      expect(decideVerdict({ type, ...input }).finding, type).toBe(expected);
    }
  });

  it('states one detection in Clean reason', () => {
    const verdict = decideVerdict({ type: 'domain', stats: stats(1) });

    expect(verdict.reason).toBe(
      'The malicious or suspicious detections (1) stay below the Suspicious threshold of 5.',
    );
  });

  it('uses the documented XSOAR defaults', () => {
    expect(VIRUSTOTAL_THRESHOLDS.malicious).toEqual({
      file: 10,
      url: 10,
      domain: 10,
      ip_address: 10,
    });
    expect(VIRUSTOTAL_THRESHOLDS.suspicious).toEqual({ file: 5, url: 5, domain: 5, ip_address: 5 });
    expect(VIRUSTOTAL_THRESHOLDS.popularityRank).toBe(10_000);
  });
});

describe('decideVerdict without engine results', () => {
  it.each<[string, Partial<VerdictInput>]>([
    ['no stats', {}],
    ['all counts zero', { stats: stats(0, 0, 0, 0) }],
    [
      'only timeouts and unsupported',
      { stats: { timeout: 5, 'type-unsupported': 60, failure: 2 } },
    ],
    ['empty stats', { stats: {} }],
    ['popular but no stats', { popularityRanks: popular }],
    ['GTI benign but no stats', { gtiVerdict: 'VERDICT_BENIGN' }],
  ])('%s → Unknown, never Clean', (_case, input) => {
    for (const type of [...NETWORK_TYPES, 'file'] as ReportType[]) {
      const verdict = decideVerdict({ type, ...input });

      expect(verdict.finding, type).toBe('Unknown');
      expect(verdict.reason).toContain('Unknown, not Clean');
    }
  });

  it('keeps a YARA match as Suspicious', () => {
    expect(decideVerdict({ type: 'file', yaraMatches: 1 }).finding).toBe('Suspicious');
  });

  it('keeps GTI suspicious as Suspicious', () => {
    expect(decideVerdict({ type: 'domain', gtiVerdict: 'VERDICT_SUSPICIOUS' }).finding).toBe(
      'Suspicious',
    );
  });

  it('keeps GTI malicious as Malicious', () => {
    expect(decideVerdict({ type: 'ip_address', gtiVerdict: 'VERDICT_MALICIOUS' }).finding).toBe(
      'Malicious',
    );
  });
});

describe('decideVerdict popularity rank', () => {
  it.each(NETWORK_TYPES)('makes a popular %s Clean despite detections', (type) => {
    const verdict = decideVerdict({ type, stats: stats(30, 5), popularityRanks: popular });

    expect(verdict.finding).toBe('Clean');
    expect(verdict.reason).toContain('popularity rank 1319');
  });

  it.each(NETWORK_TYPES)('ignores an unpopular %s', (type) => {
    expect(decideVerdict({ type, stats: stats(30), popularityRanks: unpopular }).finding).toBe(
      'Malicious',
    );
  });

  it('counts an average of exactly 10000 as popular', () => {
    const ranks = { A: { rank: 5_000 }, B: { rank: 15_000 } };

    expect(
      decideVerdict({ type: 'domain', stats: stats(30), popularityRanks: ranks }).finding,
    ).toBe('Clean');
  });

  it('does not apply to files', () => {
    expect(
      decideVerdict({ type: 'file', stats: stats(30), popularityRanks: popular }).finding,
    ).toBe('Malicious');
  });

  it('treats empty ranks as absent', () => {
    expect(decideVerdict({ type: 'url', stats: stats(30), popularityRanks: {} }).finding).toBe(
      'Malicious',
    );
  });
});

describe('decideVerdict file rules', () => {
  it.each<[string, Partial<VerdictInput>, Finding]>([
    ['one YARA match, no detections', { stats: stats(0), yaraMatches: 1 }, 'Suspicious'],
    [
      'sigma high+critical 5',
      { stats: stats(0), sigmaStats: { high: 3, critical: 2 } },
      'Suspicious',
    ],
    [
      'sigma high+critical 4',
      { stats: stats(0), sigmaStats: { high: 2, critical: 2, medium: 9 } },
      'Clean',
    ],
    ['IDS high+critical 5', { stats: stats(0), idsStats: { high: 5, medium: 1 } }, 'Suspicious'],
    ['IDS high 4 without critical', { stats: stats(0), idsStats: { high: 4, info: 30 } }, 'Clean'],
    ['threshold suspicious and YARA', { stats: stats(5), yaraMatches: 2 }, 'Malicious'],
    [
      'threshold suspicious and sigma',
      { stats: stats(2, 3), sigmaStats: { critical: 5 } },
      'Malicious',
    ],
    ['threshold malicious, no rules', { stats: stats(12) }, 'Malicious'],
    ['no YARA matches', { stats: stats(0), yaraMatches: 0 }, 'Clean'],
  ])('%s → %s', (_case, input, expected) => {
    expect(decideVerdict({ type: 'file', ...input }).finding).toBe(expected);
  });

  it.each(NETWORK_TYPES)('ignores rules for %s', (type) => {
    expect(decideVerdict({ type, stats: stats(0), yaraMatches: 3 }).finding).toBe('Clean');
  });

  it('names the matching rules in its reason', () => {
    const verdict = decideVerdict({
      type: 'file',
      stats: stats(0),
      yaraMatches: 2,
      sigmaStats: { high: 5 },
    });

    expect(verdict.reason).toContain('2 crowdsourced YARA rules matched');
    expect(verdict.reason).toContain('5 high or critical Sigma rule hits');
  });
});

describe('decideVerdict GTI assessment', () => {
  it.each<[string, ReportType, Partial<VerdictInput>, Finding]>([
    [
      'malicious beats clean stats',
      'file',
      { stats: stats(0), gtiVerdict: 'VERDICT_MALICIOUS' },
      'Malicious',
    ],
    [
      'malicious beats popularity',
      'domain',
      { stats: stats(0), popularityRanks: popular, gtiVerdict: 'VERDICT_MALICIOUS' },
      'Malicious',
    ],
    [
      'suspicious raises clean',
      'url',
      { stats: stats(0), gtiVerdict: 'VERDICT_SUSPICIOUS' },
      'Suspicious',
    ],
    [
      'suspicious raises popular clean',
      'domain',
      { stats: stats(0), popularityRanks: popular, gtiVerdict: 'VERDICT_SUSPICIOUS' },
      'Suspicious',
    ],
    [
      'suspicious keeps malicious',
      'file',
      { stats: stats(20), gtiVerdict: 'VERDICT_SUSPICIOUS' },
      'Malicious',
    ],
    [
      'benign does not lower malicious',
      'file',
      { stats: stats(20), gtiVerdict: 'VERDICT_BENIGN' },
      'Malicious',
    ],
    [
      'undetected does not lower suspicious',
      'file',
      { stats: stats(3), yaraMatches: 1, gtiVerdict: 'VERDICT_UNDETECTED' },
      'Suspicious',
    ],
    [
      'benign keeps clean',
      'ip_address',
      { stats: stats(0), gtiVerdict: 'VERDICT_BENIGN' },
      'Clean',
    ],
  ])('%s', (_case, type, input, expected) => {
    expect(decideVerdict({ type, ...input }).finding).toBe(expected);
  });
});

describe('countEnginesWithResult', () => {
  it('counts only engines that returned a category', () => {
    expect(
      countEnginesWithResult({
        malicious: 1,
        suspicious: 2,
        harmless: 3,
        undetected: 4,
        timeout: 50,
        'type-unsupported': 50,
      }),
    ).toBe(10);
  });

  it('returns 0 without stats', () => {
    expect(countEnginesWithResult(undefined)).toBe(0);
  });
});
