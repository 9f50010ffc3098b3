import type { RelayRecord } from '../../records/record.ts';
import { toRawPayload } from '../raw-payload.ts';
import { capList, withoutEmpty } from '../shared/detail-values.ts';
import { parseFieldAs } from '../shared/observable-field.ts';
import { withoutMembers } from '../shared/personal-data.ts';
import { toUtcIso } from '../shared/timestamps.ts';
import { buildVerdictRecords } from '../shared/verdict-records.ts';
import { observableIpScope } from '../shared/verdict.ts';
import { quoteVendorText, vendorErrorResponse } from '../shared/vendor-error.ts';
import { NormalizationError, type SourceContext } from '../source.ts';
import { categoryName } from './categories.ts';
import type {
  AbuseIpDbCheck,
  AbuseIpDbErrorBody,
  AbuseIpDbPayload,
  AbuseIpDbReport,
} from './schema.ts';
import { decideAbuseIpDbVerdict } from './verdict.ts';

export const ABUSEIPDB_VENDOR_NAME = 'AbuseIPDB';

/**
 * Report members never forwarded: `comment` is the reporter's free text (log lines with
 * user names, e-mail addresses, hosts), and `reporterId` identifies the reporting account.
 */
const PERSONAL_DATA_MEMBERS = new Set(['comment', 'reporterId']);

/** Caps that keep `details` to a few KB. */
const MAX_LISTED_HOSTNAMES = 20;
const MAX_LISTED_REPORTER_COUNTRIES = 20;

/**
 * Turns an AbuseIPDB API v2 `/check` response (with or without `verbose`) into a threat
 * lookup result and an observable enrichment for the address. An error body throws a
 * NormalizationError naming AbuseIPDB's error, and so does a `/check-block` response.
 */
export function normalizeAbuseIpDb(
  payload: AbuseIpDbPayload,
  context: SourceContext,
): RelayRecord[] {
  switch (payload.form) {
    case 'error':
      throw errorResponse(payload.body);
    case 'check-block':
      throw new NormalizationError(
        `This is an AbuseIPDB /check-block response for ${payload.body.data.networkAddress}, ` +
          'which the relay does not read. Check each reported address with GET /api/v2/check ' +
          'and send those responses.',
        ['data', 'networkAddress'],
      );
    case 'check':
      return normalizeCheck(payload.body.data, context);
  }
}

function normalizeCheck(check: AbuseIpDbCheck, context: SourceContext): RelayRecord[] {
  const observable = parseFieldAs(
    ['ipv4', 'ipv6'],
    check.ipAddress,
    ['data', 'ipAddress'],
    'the checked IP address',
  );
  const totalReports = check.totalReports ?? check.numReports ?? undefined;
  const verdict = decideAbuseIpDbVerdict({
    abuseConfidenceScore: check.abuseConfidenceScore,
    totalReports,
    isPublic: check.isPublic ?? undefined,
    scope: observableIpScope(observable)!,
  });

  return buildVerdictRecords({
    source: ABUSEIPDB_VENDOR_NAME,
    observable,
    verdict,
    summary: describeCheck(observable.value, check, totalReports),
    observedAt: context.receivedAt.toISOString(),
    reportUrl: `https://www.abuseipdb.com/check/${observable.value}`,
    details: checkDetails(check, totalReports),
    rawPayload: toRawPayload(
      { data: withoutMembers(check, PERSONAL_DATA_MEMBERS) as Record<string, unknown> },
      // Reports are the bulk of a verbose response, so they are the first to go.
      { prunable: 'data' },
    ),
  });
}

/** Picks what an analyst reads from a /check response; report comments never come along. */
function checkDetails(
  check: AbuseIpDbCheck,
  totalReports: number | undefined,
): Record<string, unknown> {
  const reports = check.reports ?? [];
  return withoutEmpty({
    abuseConfidenceScore: check.abuseConfidenceScore,
    totalReports,
    numDistinctUsers: check.numDistinctUsers,
    lastReportedAt: toUtcIso(check.lastReportedAt),
    isPublic: check.isPublic,
    isWhitelisted: check.isWhitelisted,
    isTor: check.isTor,
    ipVersion: check.ipVersion,
    usageType: check.usageType,
    isp: check.isp,
    domain: check.domain,
    hostnames: capList(check.hostnames, MAX_LISTED_HOSTNAMES),
    countryCode: check.countryCode,
    countryName: check.countryName,
    // Counted over the reports the response lists, which verbose responses only carry.
    reportsListed:
      check.reports === undefined || check.reports === null ? undefined : reports.length,
    reportCategories: countCategories(reports),
    reporterCountries: countReporterCountries(reports),
  });
}

/** Counts the reports per category name, most frequent first. */
function countCategories(reports: readonly AbuseIpDbReport[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const report of reports) {
    for (const id of new Set(report.categories ?? [])) {
      const name = categoryName(id);
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  return sortedCounts(counts, Number.POSITIVE_INFINITY);
}

/** Counts the reports per reporter country code, most frequent first. */
function countReporterCountries(reports: readonly AbuseIpDbReport[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const report of reports) {
    const country = report.reporterCountryCode;
    if (country === undefined || country === null || country === '') continue;
    counts.set(country, (counts.get(country) ?? 0) + 1);
  }
  return sortedCounts(counts, MAX_LISTED_REPORTER_COUNTRIES);
}

function sortedCounts(counts: Map<string, number>, max: number): Record<string, number> {
  const sorted = [...counts].sort(
    ([a, countA], [b, countB]) => countB - countA || a.localeCompare(b),
  );
  return Object.fromEntries(sorted.slice(0, max));
}

function describeCheck(
  address: string,
  check: AbuseIpDbCheck,
  totalReports: number | undefined,
): string {
  const score = `AbuseIPDB gives ${address} an abuse confidence score of ${check.abuseConfidenceScore}`;
  if (totalReports === undefined) return `${score}.`;
  if (totalReports === 0) return `${score}, with no reports.`;

  const reports = totalReports === 1 ? '1 report' : `${totalReports} reports`;
  const users =
    check.numDistinctUsers === undefined || check.numDistinctUsers === null
      ? ''
      : ` by ${check.numDistinctUsers} ${check.numDistinctUsers === 1 ? 'user' : 'users'}`;
  const lastReportedAt = toUtcIso(check.lastReportedAt);
  const last = lastReportedAt === undefined ? '' : `, the last on ${lastReportedAt}`;
  return `${score}, from ${reports}${users}${last}.`;
}

function errorResponse(body: AbuseIpDbErrorBody): NormalizationError {
  const descriptions = body.errors.map((error) => {
    const status = error.status === undefined || error.status === null ? '' : `${error.status} `;
    const detail = error.detail ?? '(no detail)';
    return `${status}${quoteVendorText(detail)}`;
  });
  return vendorErrorResponse(
    ABUSEIPDB_VENDOR_NAME,
    descriptions.join('; '),
    ['errors', 0, 'detail'],
    'Fix the request to AbuseIPDB (key, quota, parameters) and send the /check response it returns.',
  );
}
