import type { PullJob } from '../../config/schema.ts';
import type { PullJobType } from '../job-type.ts';
import { abuseIpDbJob } from './abuseipdb.ts';
import { otxJob } from './otx.ts';
import { threatFoxJob } from './threatfox.ts';
import { urlhausJob } from './urlhaus.ts';
import { virusTotalJob } from './virustotal.ts';

/** The vendor API of every job source; a job's `source` picks its entry. */
export const PULL_JOB_TYPES: {
  readonly [Source in PullJob['source']]: PullJobType<Extract<PullJob, { source: Source }>>;
} = {
  threatfox: threatFoxJob,
  urlhaus: urlhausJob,
  abuseipdb: abuseIpDbJob,
  otx: otxJob,
  virustotal: virusTotalJob,
};

/** Returns the job type of a job; the union of entries is what the run core works with. */
export function jobTypeOf(job: PullJob): PullJobType {
  return PULL_JOB_TYPES[job.source] as PullJobType;
}
