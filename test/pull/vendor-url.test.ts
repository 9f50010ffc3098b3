import { describe, expect, it } from 'vitest';
import { PullError } from '../../functions/pull/errors.ts';
import { checkVendorBaseUrl, type VendorUrlPolicy } from '../../functions/pull/vendor-url.ts';

const deployed: VendorUrlPolicy = {
  vendorHosts: ['threatfox-api.abuse.ch'],
  allowedHosts: ['ti-proxy.example.com'],
  localMode: false,
};
const local: VendorUrlPolicy = { ...deployed, localMode: true };

describe('vendor base URL', () => {
  it.each<[string, VendorUrlPolicy, string]>([
    ['https://threatfox-api.abuse.ch', deployed, 'https://threatfox-api.abuse.ch'],
    ['https://THREATFOX-API.abuse.ch:443', deployed, 'https://threatfox-api.abuse.ch'],
    ['https://ti-proxy.example.com', deployed, 'https://ti-proxy.example.com'],
    ['http://127.0.0.1:4010', local, 'http://127.0.0.1:4010'],
    ['http://localhost:4010', local, 'http://localhost:4010'],
    ['http://[::1]:4010', local, 'http://[::1]:4010'],
  ])('accepts %s', (value, policy, origin) => {
    expect(checkVendorBaseUrl('pulls.jobs["job-a"]', value, policy)).toBe(origin);
  });

  it.each<[string, VendorUrlPolicy, RegExp]>([
    ['http://threatfox-api.abuse.ch', deployed, /uses http; use https/],
    ['http://127.0.0.1:4010', deployed, /uses http/],
    ['https://127.0.0.1', deployed, /names an IP address/],
    ['https://169.254.169.254', local, /names an IP address/],
    ['https://10.0.0.8', deployed, /names an IP address/],
    ['https://[fd00::1]', deployed, /names an IP address/],
    [
      'https://threatfox-api.abuse.ch.attacker.example',
      deployed,
      /not the vendor's \(threatfox-api\.abuse\.ch\)/,
    ],
    ['https://abuse.ch', deployed, /pulls\.allowedHosts/],
    ['https://user:pw@threatfox-api.abuse.ch', deployed, /user name or password/],
    ['file:///etc/passwd', local, /uses file/],
    ['threatfox-api.abuse.ch', deployed, /not an absolute URL/],
  ])('rejects %s', (value, policy, message) => {
    let failure: unknown;
    try {
      checkVendorBaseUrl('pulls.jobs["job-a"]', value, policy);
    } catch (error) {
      failure = error;
    }

    expect(failure).toBeInstanceOf(PullError);
    expect((failure as PullError).code).toBe('vendor_url_not_allowed');
    expect((failure as PullError).message).toMatch(message);
    expect((failure as PullError).message).toContain('pulls.jobs["job-a"].api.baseUrl');
  });
});
