import * as z from 'zod';
import type { PullJob } from '../../config/schema.ts';
import { toUtcIso } from '../../sources/shared/timestamps.ts';
import type { PulledItem, PullJobType } from '../job-type.ts';
import { readVendorJson, vendorUrl } from './response.ts';

type AbuseIpDbJob = Extract<PullJob, { source: 'abuseipdb' }>;

const entrySchema = z.looseObject({
  ipAddress: z.string().min(1),
  countryCode: z.string().nullish(),
  abuseConfidenceScore: z.number().min(0).max(100),
  lastReportedAt: z.string().nullish(),
});

const blacklistSchema = z.looseObject({
  meta: z.looseObject({ generatedAt: z.string().nullish() }).nullish(),
  data: z.array(entrySchema),
});

/**
 * AbuseIPDB blacklist: `GET https://api.abuseipdb.com/api/v2/blacklist` with
 * `confidenceMinimum`, `limit` and the `Key` header (AbuseIPDB APIv2 documentation,
 * docs.abuseipdb.com, "BLACKLIST Endpoint"). The response is the whole list without paging,
 * so one request is the whole traversal.
 *
 * The `abuseipdb` adapter reads `/check` responses, so this module converts: each entry
 * becomes `{"data": {"ipAddress", "abuseConfidenceScore", "countryCode", "lastReportedAt"}}`,
 * the members a blacklist entry shares with a check response. Report counts, usage type and
 * ISP are not in the blacklist, so converted records lack them. The key is the address with
 * its `lastReportedAt`: an address reported again is sent again with its new score. The
 * checkpoint follows `lastReportedAt`.
 */
export const abuseIpDbJob: PullJobType<AbuseIpDbJob> = {
  source: 'abuseipdb',
  vendorName: 'AbuseIPDB',
  hosts: ['api.abuseipdb.com'],
  windowed: true,

  buildRequest({ job, apiKey, origin }) {
    return {
      method: 'GET',
      url: vendorUrl(origin, job.api.endpoint, { ...job.api.query, limit: job.pageSize }),
      headers: { key: apiKey, accept: 'application/json' },
    };
  },

  readPage(response, { secrets }) {
    const blacklist = readVendorJson(response, blacklistSchema, 'AbuseIPDB', secrets);
    return {
      items: blacklist.data.map((entry): PulledItem => {
        const observedAt = toUtcIso(entry.lastReportedAt);
        return {
          key: `abuseipdb:${entry.ipAddress}:${entry.lastReportedAt ?? ''}`,
          ...(observedAt !== undefined && { observedAt }),
          payload: {
            data: {
              ipAddress: entry.ipAddress,
              abuseConfidenceScore: entry.abuseConfidenceScore,
              countryCode: entry.countryCode ?? null,
              lastReportedAt: entry.lastReportedAt ?? null,
            },
          },
        };
      }),
    };
  },
};
