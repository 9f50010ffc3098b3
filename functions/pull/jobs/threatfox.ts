import * as z from 'zod';
import type { PullJob } from '../../config/schema.ts';
import { toUtcIso } from '../../sources/shared/timestamps.ts';
import type { PulledItem, PullJobType } from '../job-type.ts';
import { hasAbuseChResults } from './abuse-ch.ts';
import { parseVendorShape, readVendorJson } from './response.ts';

type ThreatFoxJob = Extract<PullJob, { source: 'threatfox' }>;

const DAY_MS = 86_400_000;

/** `get_iocs` reads from 1 to 7 days back. */
const MAX_DAYS = 7;

const responseSchema = z.looseObject({
  query_status: z.string().min(1),
  data: z.unknown().optional(),
});

const iocSchema = z.looseObject({
  id: z.union([z.string().min(1), z.number()]).nullish(),
  ioc: z.string().min(1),
  ioc_type: z.string().nullish(),
  first_seen: z.string().nullish(),
});

/**
 * ThreatFox recent IOCs: `POST https://threatfox-api.abuse.ch/api/v1/` with
 * `{"query": "get_iocs", "days": N}` and the `Auth-Key` header (ThreatFox API documentation,
 * threatfox.abuse.ch/api). N covers the window from the checkpoint, from 1 to 7 days; the
 * response has no paging, so one request is the whole traversal. Each IOC goes to the
 * `threatfox` adapter as a one-IOC response `{"query_status": "ok", "data": [ioc]}`, the shape
 * of the response itself. The checkpoint follows `first_seen`.
 */
export const threatFoxJob: PullJobType<ThreatFoxJob> = {
  source: 'threatfox',
  vendorName: 'ThreatFox',
  hosts: ['threatfox-api.abuse.ch'],
  windowed: true,
  maxWindowHours: MAX_DAYS * 24,

  buildRequest({ job, apiKey, origin, since, now }) {
    const days = Math.min(
      MAX_DAYS,
      Math.max(1, Math.ceil((now.getTime() - since.getTime()) / DAY_MS)),
    );
    return {
      method: 'POST',
      url: new URL(job.api.endpoint, origin),
      headers: {
        'auth-key': apiKey,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({ ...job.api.query, query: 'get_iocs', days }),
    };
  },

  readPage(response, { secrets }) {
    const body = readVendorJson(response, responseSchema, 'ThreatFox', secrets);
    if (!hasAbuseChResults('ThreatFox', body.query_status, secrets, body.data))
      return { items: [] };
    const iocs = parseVendorShape(body.data ?? [], z.array(iocSchema), 'ThreatFox', ['data']);
    return {
      items: iocs.map((ioc): PulledItem => {
        const observedAt = toUtcIso(ioc.first_seen);
        return {
          key: `threatfox:${ioc.id ?? `${ioc.ioc_type ?? 'ioc'}:${ioc.ioc}`}`,
          ...(observedAt !== undefined && { observedAt }),
          payload: { query_status: 'ok', data: [ioc] },
        };
      }),
    };
  },
};
