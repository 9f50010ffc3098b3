import * as z from 'zod';
import type { PullJob } from '../../config/schema.ts';
import { toUtcIso } from '../../sources/shared/timestamps.ts';
import type { PulledItem, PullJobType } from '../job-type.ts';
import { hasAbuseChResults } from './abuse-ch.ts';
import { parseVendorShape, readVendorJson, vendorUrl } from './response.ts';

type UrlhausJob = Extract<PullJob, { source: 'urlhaus' }>;

const responseSchema = z.looseObject({
  query_status: z.string().min(1),
  urls: z.unknown().optional(),
});

const urlSchema = z.looseObject({
  id: z.union([z.string().min(1), z.number()]).nullish(),
  url: z.string().min(1),
  date_added: z.string().nullish(),
});

/**
 * URLhaus recent URLs: `GET https://urlhaus-api.abuse.ch/v1/urls/recent/limit/N/` with the
 * `Auth-Key` header (URLhaus API documentation, urlhaus-api.abuse.ch, "Query recent URLs").
 * URLhaus lists the URLs added in the last 3 days, newest first, at most 1000 and without
 * paging, so one request is the whole traversal. Each URL goes to the `urlhaus` adapter as a
 * one-URL list `{"query_status": "ok", "urls": [url]}`, the shape of the response itself. The
 * checkpoint follows `date_added`.
 */
export const urlhausJob: PullJobType<UrlhausJob> = {
  source: 'urlhaus',
  vendorName: 'URLhaus',
  hosts: ['urlhaus-api.abuse.ch'],
  windowed: true,
  maxWindowHours: 72,

  buildRequest({ job, apiKey, origin }) {
    const path = `${job.api.endpoint.replace(/\/?$/, '/')}limit/${job.pageSize}/`;
    return {
      method: 'GET',
      url: vendorUrl(origin, path, job.api.query),
      headers: { 'auth-key': apiKey, accept: 'application/json' },
    };
  },

  readPage(response, { job, secrets }) {
    const body = readVendorJson(response, responseSchema, 'URLhaus', secrets);
    if (!hasAbuseChResults('URLhaus', body.query_status, secrets)) return { items: [] };
    const urls = parseVendorShape(body.urls ?? [], z.array(urlSchema), 'URLhaus', ['urls']);
    return {
      items: urls.map((entry): PulledItem => {
        const observedAt = toUtcIso(entry.date_added);
        return {
          key: `urlhaus:${entry.id ?? entry.url}`,
          ...(observedAt !== undefined && { observedAt }),
          payload: { query_status: 'ok', urls: [entry] },
        };
      }),
      truncated: urls.length >= job.pageSize,
    };
  },
};
