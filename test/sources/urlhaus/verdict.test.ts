import { describe, expect, it } from 'vitest';
import {
  decideHostVerdict,
  decidePayloadVerdict,
  decideUrlVerdict,
} from '../../../functions/sources/urlhaus/verdict.ts';

describe('decideUrlVerdict', () => {
  it.each([
    ['online', 'Malicious'],
    ['offline', 'Suspicious'],
    ['unknown', 'Suspicious'],
    [undefined, 'Suspicious'],
    [null, 'Suspicious'],
    ['a status URLhaus adds later', 'Suspicious'],
  ] as const)('url_status %j gives %s', (status, finding) => {
    expect(decideUrlVerdict(status).finding).toBe(finding);
  });

  it('names the status in the reason', () => {
    expect(decideUrlVerdict('offline').reason).toContain('offline');
  });
});

describe('decideHostVerdict', () => {
  it.each([
    ['spammer_domain', 'not listed', 0, 'Malicious'],
    ['phishing_domain', 'not listed', 3, 'Malicious'],
    ['botnet_cc_domain', null, 1, 'Malicious'],
    ['not listed', 'listed', 0, 'Malicious'],
    [undefined, 'listed', 5, 'Malicious'],
    ['abused_legit_malware', 'not listed', 4, 'Suspicious'],
    ['abused_legit_botnetcc', 'not listed', 1, 'Suspicious'],
    ['abused_redirector', 'not listed', 1, 'Suspicious'],
    ['not listed', 'not listed', 124, 'Suspicious'],
    [undefined, undefined, 1, 'Suspicious'],
    ['not listed', 'not listed', 0, 'Unknown'],
    ['abused_legit_spam', 'not listed', 0, 'Unknown'],
  ] as const)('DBL %j, SURBL %j and %d URLs give %s', (dbl, surbl, urlCount, finding) => {
    expect(decideHostVerdict({ spamhausDbl: dbl, surbl, urlCount }).finding).toBe(finding);
  });

  it('names the DBL category that decided', () => {
    const verdict = decideHostVerdict({ spamhausDbl: 'phishing_domain', urlCount: 1 });

    expect(verdict.reason).toContain('phishing_domain');
  });
});

describe('decidePayloadVerdict', () => {
  it.each([
    ['Heodo', 'Malicious'],
    ['AgentTesla', 'Malicious'],
    [null, 'Suspicious'],
    [undefined, 'Suspicious'],
    ['', 'Suspicious'],
    ['   ', 'Suspicious'],
  ] as const)('signature %j gives %s', (signature, finding) => {
    expect(decidePayloadVerdict(signature).finding).toBe(finding);
  });
});
