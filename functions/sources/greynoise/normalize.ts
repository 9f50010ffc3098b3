import type { Observable } from '../../records/observable.ts';
import type { RelayRecord } from '../../records/record.ts';
import { toRawPayload } from '../raw-payload.ts';
import { parseFieldAs, type PayloadPath } from '../shared/observable-field.ts';
import { vendorReportUrl } from '../shared/report-url.ts';
import { buildEnrichmentRecord, buildVerdictRecords } from '../shared/verdict-records.ts';
import { quoteVendorText, vendorErrorResponse } from '../shared/vendor-error.ts';
import { NormalizationError, type SourceContext } from '../source.ts';
import {
  communityDetails,
  contextDetails,
  quickCodeMessage,
  quickDetails,
  riotDetails,
} from './details.ts';
import type {
  GreyNoiseCommunity,
  GreyNoiseContext,
  GreyNoiseGnql,
  GreyNoisePayload,
  GreyNoiseQuick,
  GreyNoiseRiot,
  GreyNoiseRiotFields,
} from './schema.ts';
import { decideGreyNoiseVerdict, QUICK_CODE_INVALID_IP } from './verdict.ts';

export const GREYNOISE_VENDOR_NAME = 'GreyNoise';

const VISUALIZER_HOST = 'viz.greynoise.io';

// The community API's response for an address it has no record of (HTTP 404), which is no error.
const NOT_OBSERVED = /not observed|not found/i;

// The messages of a GNQL query that ran, with or without results.
const GNQL_OK = /^(ok|no results)$/i;

/**
 * Turns a GreyNoise response into records. A community lookup, an IP context, a RIOT lookup
 * and each item of a GNQL query become a threat lookup result and an observable enrichment.
 * A quick check (or each item of a multi quick check) becomes an observable enrichment only,
 * because it tells whether GreyNoise saw the address, not what it did. Error bodies throw a
 * NormalizationError naming GreyNoise's message.
 */
export function normalizeGreyNoise(
  payload: GreyNoisePayload,
  context: SourceContext,
): RelayRecord[] {
  const observedAt = context.receivedAt.toISOString();
  switch (payload.form) {
    case 'error':
      throw vendorErrorResponse(
        GREYNOISE_VENDOR_NAME,
        quoteVendorText(payload.body.error),
        ['error'],
        'Send the response of a lookup GreyNoise answered with a result.',
      );
    case 'community':
      return normalizeCommunity(payload.body, observedAt);
    case 'context':
      return normalizeContext(payload.body, [], observedAt);
    case 'riot':
      return normalizeRiot(payload.body, observedAt);
    case 'quick':
      return [normalizeQuick(payload.body, [], observedAt)];
    case 'quick-list':
      return normalizeQuickList(payload.body, observedAt, context);
    case 'gnql':
      return normalizeGnql(payload.body, observedAt);
    case 'unrecognized':
      // The schema never lets this form through; the case keeps the switch exhaustive.
      return payload.body;
  }
}

function normalizeCommunity(community: GreyNoiseCommunity, observedAt: string): RelayRecord[] {
  const hasResult =
    community.message === 'Success' ||
    (community.classification ?? undefined) !== undefined ||
    community.noise === true ||
    community.riot === true;
  const notObserved = NOT_OBSERVED.test(community.message);
  if (community.ip === undefined || community.ip === null || (!hasResult && !notObserved)) {
    throw vendorErrorResponse(
      GREYNOISE_VENDOR_NAME,
      quoteVendorText(community.message),
      ['message'],
      'Send the community response of a lookup GreyNoise answered with a result or with ' +
        '"IP not observed scanning the internet or contained in RIOT data set.".',
    );
  }

  const observable = ipObservable(community.ip, ['ip']);
  return buildVerdictRecords({
    source: GREYNOISE_VENDOR_NAME,
    observable,
    verdict: decideGreyNoiseVerdict({
      classification: community.classification ?? undefined,
      noise: community.noise ?? undefined,
      riot: community.riot ?? undefined,
    }),
    summary: describeCommunity(observable.value, community),
    observedAt,
    reportUrl: reportUrl(observable, community.link, community.riot === true ? 'riot' : 'ip'),
    details: communityDetails(community),
    rawPayload: toRawPayload(community),
  });
}

function normalizeContext(
  context: GreyNoiseContext,
  path: PayloadPath,
  observedAt: string,
): RelayRecord[] {
  const observable = ipObservable(context.ip, [...path, 'ip']);
  return buildVerdictRecords({
    source: GREYNOISE_VENDOR_NAME,
    observable,
    verdict: decideGreyNoiseVerdict({
      classification: context.seen ? (context.classification ?? undefined) : undefined,
      noise: context.seen || context.noise === true,
      riot: context.riot ?? undefined,
      trustLevel: trustLevelOf(context),
    }),
    summary: [describeContext(observable.value, context), describeRiot(observable.value, context)]
      .filter((sentence) => sentence !== '')
      .join(' '),
    observedAt,
    reportUrl: reportUrl(observable, undefined, 'ip'),
    details: contextDetails(context),
    // Scan records are the bulk of a context record, so they are the first to go.
    rawPayload: toRawPayload(context, { prunable: 'raw_data' }),
  });
}

/**
 * Reads each result of a GNQL query. A query without results gives no records when GreyNoise
 * reports so ("no results", or "ok"). Any other message without results is an error.
 */
function normalizeGnql(query: GreyNoiseGnql, observedAt: string): RelayRecord[] {
  const results = query.data ?? [];
  const message = query.message ?? undefined;
  if (results.length === 0 && message !== undefined && !GNQL_OK.test(message.trim())) {
    throw vendorErrorResponse(
      GREYNOISE_VENDOR_NAME,
      `GNQL query without results: ${quoteVendorText(message)}`,
      ['message'],
      'Fix the GNQL query and send the response GreyNoise returns for it.',
    );
  }
  return results.flatMap((item, index) => normalizeContext(item, ['data', index], observedAt));
}

function normalizeRiot(riot: GreyNoiseRiot, observedAt: string): RelayRecord[] {
  const observable = ipObservable(riot.ip, ['ip']);
  return buildVerdictRecords({
    source: GREYNOISE_VENDOR_NAME,
    observable,
    verdict: decideGreyNoiseVerdict({ riot: riot.riot, trustLevel: trustLevelOf(riot) }),
    summary: describeRiot(observable.value, riot),
    observedAt,
    reportUrl: reportUrl(observable, undefined, 'riot'),
    details: riotDetails(riot),
    rawPayload: toRawPayload(riot),
  });
}

function normalizeQuick(quick: GreyNoiseQuick, path: PayloadPath, observedAt: string): RelayRecord {
  if (quick.code.toLowerCase() === QUICK_CODE_INVALID_IP) {
    throw vendorErrorResponse(
      GREYNOISE_VENDOR_NAME,
      `quick-check code ${quick.code} for ${quoteVendorText(quick.ip)}: ${quickCodeMessage(quick)}`,
      [...path, 'code'],
      'Check a valid, routable IPv4 address.',
    );
  }
  const observable = ipObservable(quick.ip, [...path, 'ip']);
  return buildEnrichmentRecord({
    source: GREYNOISE_VENDOR_NAME,
    observable,
    summary: describeQuick(observable.value, quick),
    observedAt,
    reportUrl: reportUrl(observable, undefined, 'ip'),
    details: quickDetails(quick),
  });
}

/**
 * Reads each item of a multi quick check. Items GreyNoise marked as invalid (code 0x07)
 * are reported through `context.skip` and left out, unless every item is invalid.
 */
function normalizeQuickList(
  items: readonly GreyNoiseQuick[],
  observedAt: string,
  context: SourceContext,
): RelayRecord[] {
  const records: RelayRecord[] = [];
  let firstError: NormalizationError | undefined;
  for (const [index, item] of items.entries()) {
    try {
      records.push(normalizeQuick(item, [index], observedAt));
    } catch (error) {
      if (!(error instanceof NormalizationError)) throw error;
      firstError ??= error;
      context.skip?.('invalid_item', { path: error.path, error: error.message });
    }
  }
  if (records.length === 0 && firstError !== undefined) throw firstError;
  return records;
}

function ipObservable(value: string, path: PayloadPath): Observable {
  return parseFieldAs(['ipv4', 'ipv6'], value, path, 'the IP address');
}

function trustLevelOf(riot: GreyNoiseRiotFields): string | undefined {
  const level = riot.trust_level;
  return level === undefined || level === null ? undefined : String(level);
}

/** Takes GreyNoise's own visualizer link when it is one, else builds it from the address. */
function reportUrl(
  observable: Observable,
  link: string | null | undefined,
  page: 'ip' | 'riot',
): string {
  return (
    vendorReportUrl(link, VISUALIZER_HOST) ??
    `https://${VISUALIZER_HOST}/${page}/${observable.value}`
  );
}

function describeCommunity(address: string, community: GreyNoiseCommunity): string {
  if (community.noise !== true && community.riot !== true && NOT_OBSERVED.test(community.message)) {
    return `GreyNoise has not seen ${address} scanning the internet and does not list it as a business service.`;
  }
  const noise = community.noise === true ? 'saw' : 'has not seen';
  const parts = [`GreyNoise ${noise} ${address} scanning the internet`];
  if (community.riot === true) parts.push('lists it as a business service');
  const name = community.name && community.name !== 'unknown' ? ` (${community.name})` : '';
  const classification = community.classification ?? 'none';
  const lastSeen = community.last_seen ? `, last seen ${community.last_seen}` : '';
  return `${parts.join(' and ')}${name}; classification ${classification}${lastSeen}.`;
}

function describeContext(address: string, context: GreyNoiseContext): string {
  if (!context.seen) return `GreyNoise has not seen ${address} scanning the internet.`;
  const period =
    context.first_seen && context.last_seen
      ? ` from ${context.first_seen} to ${context.last_seen}`
      : '';
  const actor = context.actor && context.actor !== 'unknown' ? `, actor ${context.actor}` : '';
  const classification = context.classification ?? 'none';
  return `GreyNoise saw ${address} scanning the internet${period}; classification ${classification}${actor}.`;
}

function describeRiot(address: string, riot: GreyNoiseRiotFields): string {
  if (riot.riot === undefined || riot.riot === null) return '';
  if (!riot.riot) return `GreyNoise RIOT does not list ${address} as a business service.`;
  const name = riot.name ? ` as ${riot.name}` : ' as a business service';
  const facts = [
    riot.category ? `category ${riot.category}` : undefined,
    trustLevelOf(riot) === undefined ? undefined : `trust level ${trustLevelOf(riot)}`,
  ].filter((fact) => fact !== undefined);
  const detail = facts.length === 0 ? '' : ` (${facts.join(', ')})`;
  return `GreyNoise RIOT lists ${address}${name}${detail}.`;
}

function describeQuick(address: string, quick: GreyNoiseQuick): string {
  const noise = quick.noise === true ? 'is internet noise' : 'is not internet noise';
  const riot = quick.riot === true ? ' and is in RIOT' : '';
  const meaning = quickCodeMessage(quick);
  const code =
    meaning === undefined
      ? `code ${quick.code}`
      : `code ${quick.code}: ${meaning.replace(/\.$/, '')}`;
  return `GreyNoise quick check: ${address} ${noise}${riot} (${code}).`;
}
