import type { PullJob, PullsSettings, RelayConfig } from '../config/schema.ts';
import { SecretError, type SecretStore } from '../credentials/secret-store.ts';
import type { SourceAdapter } from '../sources/source.ts';
import { PullError } from './errors.ts';
import type { PullJobType } from './job-type.ts';
import { jobTypeOf } from './jobs/index.ts';
import { checkVendorBaseUrl } from './vendor-url.ts';

/** A job with everything a run needs, checked before the run takes the lease. */
export interface PreparedJob {
  job: PullJob;
  /** The `pulls` section the job came from. */
  settings: PullsSettings;
  jobType: PullJobType;
  adapter: SourceAdapter;
  /** The job's base URL, checked against the allow-list. */
  origin: string;
  apiKey: string;
  /**
   * Every secret value the job's requests carry, now only the API key. Vendor text that an
   * error or log line quotes has each of them redacted.
   */
  secrets: readonly string[];
}

/**
 * Finds the job, its job type and source adapter, checks its base URL and settings, and
 * reads its API key. Misconfiguration fails here, before the run touches the checkpoint.
 *
 * @throws PullError naming the setting to fix.
 */
export async function preparePullJob(
  jobId: string,
  deps: {
    config: RelayConfig;
    secrets: SecretStore;
    getSource: (id: string) => SourceAdapter | undefined;
    localMode: boolean;
  },
): Promise<PreparedJob> {
  const settings = deps.config.pulls;
  const job = settings?.jobs.find((candidate) => candidate.id === jobId);
  if (settings === undefined || job === undefined) {
    const known = (settings?.jobs ?? []).map((candidate) => candidate.id);
    throw new PullError(
      'job_not_found',
      `No pull job "${jobId}" in pulls.jobs of the configuration` +
        (known.length > 0 ? `; configured jobs: ${known.join(', ')}.` : '; it has no jobs.'),
    );
  }

  const jobType = jobTypeOf(job);
  const adapter = deps.getSource(job.source);
  if (adapter === undefined) {
    throw new PullError(
      'source_not_registered',
      `Pull job "${jobId}" needs the source adapter "${job.source}", which this build of the relay ` +
        'does not register in functions/sources/loaders.ts.',
    );
  }
  // The schedule passes only the job's id, so messages name the job by it.
  const jobPath = `pulls.jobs["${jobId}"]`;
  const problems = jobType.validateJob?.(job, jobPath) ?? [];
  if (problems.length > 0) {
    throw new PullError('job_invalid', `Invalid pull job "${jobId}":\n  ${problems.join('\n  ')}`);
  }

  const origin = checkVendorBaseUrl(jobPath, job.api.baseUrl, {
    vendorHosts: jobType.hosts,
    allowedHosts: settings.allowedHosts,
    localMode: deps.localMode,
  });
  const apiKey = await readApiKey(job, deps.secrets);
  return { job, settings, jobType, adapter, origin, apiKey, secrets: [apiKey] };
}

async function readApiKey(job: PullJob, secrets: SecretStore): Promise<string> {
  let values: Record<string, unknown>;
  try {
    values = await secrets.getJson(job.secretName);
  } catch (error) {
    if (!(error instanceof SecretError)) throw error;
    throw new PullError(
      'api_key_missing',
      `Pull job "${job.id}" cannot read its secret: ${error.message}`,
      { cause: error },
    );
  }
  const apiKey = values.apiKey;
  if (typeof apiKey !== 'string' || apiKey.trim() === '') {
    throw new PullError(
      'api_key_missing',
      `Secret "${job.secretName}" of pull job "${job.id}" has no "apiKey" string; store ` +
        '{"apiKey": "<the vendor API key>"} in it.',
    );
  }
  const key = apiKey.trim();
  // fetch cannot send such a key in a header, and its error quotes the header's value.
  if (/[^\t\x20-\x7e\x80-\xff]/.test(key)) {
    throw new PullError(
      'api_key_missing',
      `Secret "${job.secretName}" of pull job "${job.id}" has an "apiKey" with a line break, ` +
        'another control character or a character outside Latin-1; store the key alone, as the ' +
        'vendor issued it.',
    );
  }
  return key;
}
