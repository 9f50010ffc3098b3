import * as z from 'zod';
import type { PullJob } from '../../config/schema.ts';
import { parseObservable, type Observable } from '../../records/observable.ts';
import { PullError } from '../errors.ts';
import type { PulledPage, PullJobType } from '../job-type.ts';
import { readVendorJson } from './response.ts';

type VirusTotalJob = Extract<PullJob, { source: 'virustotal' }>;

/** VirusTotal API v3 collection by observable type; e-mail addresses and CIDR ranges have none. */
const COLLECTIONS: Partial<Record<Observable['type'], string>> = {
  ipv4: 'ip_addresses',
  ipv6: 'ip_addresses',
  domain: 'domains',
  url: 'urls',
  md5: 'files',
  sha1: 'files',
  sha256: 'files',
};

const reportSchema = z.looseObject({
  data: z.looseObject({
    type: z.string().min(1),
    id: z.union([z.string().min(1), z.number()]),
    attributes: z
      .looseObject({
        last_analysis_date: z.number().nullish(),
        last_modification_date: z.number().nullish(),
      })
      .optional(),
  }),
});

/**
 * VirusTotal lookups of a configured list: `GET https://www.virustotal.com/api/v3/{files|urls|
 * domains|ip_addresses}/{id}` with the `x-apikey` header (VirusTotal API v3 reference,
 * docs.virustotal.com). A URL's id is its base64url form without padding. Each run looks
 * every observable up again, one request per page, with the cursor at the next observable, so
 * a list longer than one run can handle goes on at the next run. The report goes to the
 * `virustotal` adapter unchanged. Its key includes `last_analysis_date`, so a report is sent
 * again only after VirusTotal analysed the observable anew; the checkpoint ends at the newest
 * analysis date. A 404 (`NotFoundError`) is logged and skipped.
 */
export const virusTotalJob: PullJobType<VirusTotalJob> = {
  source: 'virustotal',
  vendorName: 'VirusTotal',
  hosts: ['www.virustotal.com'],
  windowed: false,

  validateJob(job, jobPath) {
    return job.observables.flatMap((value, index) => {
      const problem = lookupPath(value).problem;
      return problem === undefined ? [] : [`${jobPath}.observables[${index}]: ${problem}`];
    });
  },

  buildRequest({ job, apiKey, origin, cursor }) {
    const value = job.observables[observableIndex(cursor)]!;
    const { path } = lookupPath(value);
    return {
      method: 'GET',
      url: new URL(`${job.api.endpoint.replace(/\/$/, '')}/${path}`, origin),
      headers: { 'x-apikey': apiKey, accept: 'application/json' },
    };
  },

  readPage(response, { job, secrets, cursor }) {
    const index = observableIndex(cursor);
    const next = index + 1 < job.observables.length ? { next: String(index + 1) } : {};
    if (response.status === 404) {
      return {
        items: [],
        skipped: [{ reason: 'not_found', detail: { observable: job.observables[index] } }],
        ...next,
      } satisfies PulledPage;
    }
    const report = readVendorJson(response, reportSchema, 'VirusTotal', secrets);
    const attributes = report.data.attributes;
    const analysedAt = attributes?.last_analysis_date ?? attributes?.last_modification_date;
    return {
      items: [
        {
          key: `virustotal:${report.data.type}:${report.data.id}:${analysedAt ?? 'unanalysed'}`,
          ...(analysedAt !== undefined &&
            analysedAt !== null && { observedAt: new Date(analysedAt * 1000).toISOString() }),
          payload: report,
        },
      ],
      ...next,
    };
  },
};

function observableIndex(cursor: string | undefined): number {
  const index = Number(cursor ?? '0');
  if (!Number.isInteger(index) || index < 0) {
    throw new PullError(
      'vendor_response_invalid',
      `The saved cursor "${cursor}" is not an observable index.`,
    );
  }
  return index;
}

/** Returns the path under /api/v3 that looks an observable up, or the reason it cannot be looked up. */
function lookupPath(
  value: string,
): { path: string; problem?: undefined } | { path?: undefined; problem: string } {
  let observable: Observable;
  try {
    observable = parseObservable(value);
  } catch (error) {
    return { problem: (error as Error).message };
  }
  const collection = COLLECTIONS[observable.type];
  if (collection === undefined) {
    return {
      problem: `"${value}" is a ${observable.type}, which VirusTotal cannot look up; remove it`,
    };
  }
  const id =
    observable.type === 'url'
      ? Buffer.from(observable.value).toString('base64url')
      : encodeURIComponent(observable.value);
  return { path: `${collection}/${id}` };
}
