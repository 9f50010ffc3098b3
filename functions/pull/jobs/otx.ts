import * as z from 'zod';
import type { PullJob } from '../../config/schema.ts';
import { toUtcIso } from '../../sources/shared/timestamps.ts';
import type { PulledItem, PullJobType, SkippedItem } from '../job-type.ts';
import { readVendorJson, vendorUrl } from './response.ts';

type OtxJob = Extract<PullJob, { source: 'otx' }>;

const indicatorSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).nullish(),
  indicator: z.string().min(1),
  type: z.string().min(1),
  is_active: z.union([z.number(), z.boolean()]).nullish(),
});

const pulseSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().nullish(),
  modified: z.string().nullish(),
  created: z.string().nullish(),
  indicators: z.array(indicatorSchema).default([]),
});

const pageSchema = z.looseObject({
  results: z.array(pulseSchema),
  next: z.string().nullish(),
});

/**
 * Pulse members that go into the converted response. The description, references and author
 * name are left out: they are free text that can hold personal data.
 */
const PULSE_SUMMARY_KEYS = [
  'id',
  'name',
  'created',
  'modified',
  'tags',
  'adversary',
  'malware_families',
  'attack_ids',
  'industries',
  'targeted_countries',
  'TLP',
  'tlp',
] as const;

/**
 * OTX subscribed pulses: `GET https://otx.alienvault.com/api/v1/pulses/subscribed` with
 * `modified_since`, `limit` and `page`, and the `X-OTX-API-KEY` header (OTX DirectConnect API
 * v1 documentation, otx.alienvault.com/api). Pages follow `page` while the response has a
 * `next` link; the link itself is not followed, so the API key goes only to the configured host.
 *
 * The `otx` adapter reads indicator responses (the `general` section), not pulses, so this
 * module converts: each active indicator of a pulse becomes
 * `{"indicator", "type", "pulse_info": {"count": 1, "pulses": [pulse summary]}}`. The
 * adapter then finds one pulse and decides its finding from that alone; OTX validation notes
 * (whitelists) are not part of a pulse, so a converted item never carries them. The
 * checkpoint follows the pulse's `modified`; an edited pulse gets a new key, so its
 * indicators are sent again with the new pulse data.
 */
export const otxJob: PullJobType<OtxJob> = {
  source: 'otx',
  vendorName: 'AlienVault OTX',
  hosts: ['otx.alienvault.com'],
  windowed: true,

  buildRequest({ job, apiKey, origin, since, cursor }) {
    return {
      method: 'GET',
      url: vendorUrl(origin, job.api.endpoint, {
        ...job.api.query,
        modified_since: since.toISOString(),
        limit: job.pageSize,
        page: cursor ?? '1',
      }),
      headers: { 'x-otx-api-key': apiKey, accept: 'application/json' },
    };
  },

  readPage(response, { secrets, cursor }) {
    const body = readVendorJson(response, pageSchema, 'AlienVault OTX', secrets);
    const items: PulledItem[] = [];
    const skipped: SkippedItem[] = [];
    for (const pulse of body.results) {
      const observedAt = toUtcIso(pulse.modified);
      const summary = summarizePulse(pulse);
      for (const indicator of pulse.indicators) {
        if (indicator.is_active === 0 || indicator.is_active === false) {
          skipped.push({
            reason: 'inactive_indicator',
            detail: { pulseId: pulse.id, indicatorId: indicator.id ?? null },
          });
          continue;
        }
        items.push({
          key: `otx:${pulse.id}:${pulse.modified ?? ''}:${indicator.id ?? indicator.indicator}`,
          ...(observedAt !== undefined && { observedAt }),
          payload: {
            indicator: indicator.indicator,
            type: indicator.type,
            pulse_info: { count: 1, pulses: [summary] },
          },
        });
      }
    }
    const page = Number(cursor ?? '1');
    return {
      items,
      skipped,
      ...(body.next !== undefined && body.next !== null && { next: String(page + 1) }),
    };
  },
};

function summarizePulse(pulse: Record<string, unknown>): Record<string, unknown> {
  const summary: Record<string, unknown> = {};
  for (const key of PULSE_SUMMARY_KEYS) {
    if (pulse[key] !== undefined) summary[key] = pulse[key];
  }
  return summary;
}
