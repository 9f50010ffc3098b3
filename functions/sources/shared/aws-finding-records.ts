import type {
  CiEnrichment,
  ObservableEnrichment,
  RelayRecord,
  ThreatLookupResult,
} from '../../records/record.ts';
import type { SeverityLabel } from './aws-severity.ts';
import { fitDetails, truncate, withoutEmpty } from './detail-values.ts';
import { ROLE_PHRASES, type FindingObservable } from './aws-observables.ts';
import { guardNonRoutable, observableIpScope, type Verdict } from './verdict.ts';

/** Length limit of the record's `ci` column value. */
const MAX_CI_LENGTH = 255;
/** Length limit of `ciClass`. */
const MAX_CI_CLASS_LENGTH = 80;
/** Summaries are cut to this length, so each stays one line even for a long title or type. */
const MAX_SUMMARY_LENGTH = 1000;
/** At most this many observable values (or CIs) are listed in one record's details. */
const MAX_LISTED_OBSERVABLES = 20;

/**
 * The facts about the finding that an observable enrichment repeats, so that an analyst
 * looking at an address finds the finding that named it without the CI's full details.
 */
const OBSERVABLE_FACTS = [
  'findingId',
  'product',
  'findingType',
  'title',
  'severity',
  'count',
  'firstSeen',
  'lastSeen',
  'accountId',
  'region',
  'threatListNames',
  'threatNames',
  'consoleUrl',
];

/** An AWS resource a finding names, as the configuration item it becomes. */
export interface AwsFindingResource {
  /** The CI's identifier: an EC2 instance id, an access key id, an ARN, an account id. */
  ci: string;
  /** Such as "AWS EC2 instance". */
  ciClass: string;
  /** The type as the finding writes it, such as "Instance" or "AwsEc2Instance". */
  resourceType: string;
  resourceArn?: string | undefined;
}

/** One finding, read out of GuardDuty's or Security Hub's format into what the records need. */
export interface AwsFinding {
  /** Record `source` of the enrichments, such as "AWS GuardDuty". */
  source: string;
  /** The product that made the finding, for summaries: "GuardDuty", "Security Hub", "Inspector". */
  product: string;
  /** The finding's type for summaries: a GuardDuty type such as "Recon:EC2/Portscan", a control id such as "S3.8". */
  type: string;
  /** The finding's title with the user names it names replaced (see `removeNames`). */
  title: string;
  severity: SeverityLabel;
  /** When the finding was last updated (ISO 8601), for `enrichedAt` and `lookedUpAt`. */
  updatedAt: string;
  consoleUrl?: string | undefined;
  /** Facts about the finding for the CI enrichments' details; observable enrichments repeat OBSERVABLE_FACTS of them. */
  facts: Record<string, unknown>;
  resources: AwsFindingResource[];
  observables: FindingObservable[];
}

/** A verdict with the vendor it is recorded under. */
export interface SourcedVerdict extends Verdict {
  source: string;
}

/**
 * Turns one finding into records: a CI enrichment per resource, then per observable a threat
 * lookup result (only when `verdictFor` returns a verdict) and an observable enrichment.
 * Every verdict passes `guardNonRoutable`, so a private address never becomes Malicious.
 */
export function buildFindingRecords(
  finding: AwsFinding,
  verdictFor: (entry: FindingObservable) => SourcedVerdict | undefined,
): RelayRecord[] {
  const records: RelayRecord[] = finding.resources.map((resource) =>
    ciEnrichment(finding, resource),
  );
  for (const entry of finding.observables) {
    const verdict = verdictFor(entry);
    if (verdict !== undefined) records.push(lookupResult(finding, entry, verdict));
    records.push(observableEnrichment(finding, entry));
  }
  return records;
}

function ciEnrichment(finding: AwsFinding, resource: AwsFindingResource): CiEnrichment {
  // NOTE: an identifier longer than the column is cut and then matches no CI; the full value
  // stays in details.resourceId. AWS resource ids and ARNs of this length were not seen.
  const ciCut = resource.ci.length > MAX_CI_LENGTH;
  return {
    kind: 'ci_enrichment',
    ci: truncate(resource.ci, MAX_CI_LENGTH),
    ciClass: truncate(resource.ciClass, MAX_CI_CLASS_LENGTH),
    source: finding.source,
    summary: oneLine(findingPhrase(finding)),
    enrichedAt: finding.updatedAt,
    details: fitDetails(
      withoutEmpty({
        ...finding.facts,
        resourceType: resource.resourceType,
        resourceArn: resource.resourceArn,
        resourceId: ciCut ? resource.ci : undefined,
        observables: finding.observables
          .slice(0, MAX_LISTED_OBSERVABLES)
          .map((entry) => entry.observable.value),
      }),
    ),
  };
}

function observableEnrichment(finding: AwsFinding, entry: FindingObservable): ObservableEnrichment {
  const roles = entry.roles.map((role) => ROLE_PHRASES[role]).join(' and ');
  return {
    kind: 'observable_enrichment',
    observable: entry.observable,
    source: finding.source,
    summary: oneLine(
      `${entry.observable.value} is ${roles} in ${finding.product} ${finding.severity} finding ` +
        `${finding.type}${resourcePhrase(finding)}.`,
    ),
    enrichedAt: finding.updatedAt,
    details: fitDetails(
      withoutEmpty({
        roles: entry.roles,
        ipScope: observableIpScope(entry.observable),
        ...entry.context,
        ...Object.fromEntries(OBSERVABLE_FACTS.map((key) => [key, finding.facts[key]])),
        resources: finding.resources
          .slice(0, MAX_LISTED_OBSERVABLES)
          .map((resource) => resource.ci),
      }),
    ),
  };
}

function lookupResult(
  finding: AwsFinding,
  entry: FindingObservable,
  verdict: SourcedVerdict,
): ThreatLookupResult {
  const guarded = guardNonRoutable(entry.observable, verdict);
  return {
    kind: 'threat_lookup_result',
    observable: entry.observable,
    finding: guarded.finding,
    source: verdict.source,
    summary: oneLine(guarded.reason),
    lookedUpAt: finding.updatedAt,
    ...(finding.consoleUrl !== undefined && { reportUrl: finding.consoleUrl }),
  };
}

/** Names the finding with its title, leaving out a title that only repeats the type. */
function findingPhrase(finding: AwsFinding): string {
  const named = `${finding.product} ${finding.severity} finding ${finding.type}`;
  const title = finding.title.trim();
  if (title === '' || title === finding.type) return `${named}.`;
  if (title.startsWith(finding.type))
    return `${finding.product} ${finding.severity} finding: ${title}`;
  return `${named}: ${title}`;
}

function resourcePhrase(finding: AwsFinding): string {
  const names = finding.resources.map((resource) => resource.ci);
  if (names.length === 0) return '';
  if (names.length <= 3) return ` on ${names.join(', ')}`;
  return ` on ${names.slice(0, 3).join(', ')} and ${names.length - 3} more resources`;
}

/**
 * Replaces each of the given names in a text by "[name removed]". Finding titles can name the
 * IAM user or the session (often an e-mail address) that a finding is about, and the relay
 * forwards no user names. Names shorter than three characters are left alone, because
 * replacing them would garble the text without protecting anyone.
 */
export function removeNames(text: string, names: readonly (string | null | undefined)[]): string {
  let result = text;
  for (const name of names) {
    if (typeof name !== 'string' || name.trim().length < 3) continue;
    result = result.split(name.trim()).join('[name removed]');
  }
  return result;
}

/** Folds line breaks and runs of spaces and cuts the text to MAX_SUMMARY_LENGTH. */
function oneLine(text: string): string {
  return truncate(text.replace(/\s+/g, ' ').trim(), MAX_SUMMARY_LENGTH);
}
