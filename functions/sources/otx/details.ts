import { capList, truncate, withoutEmpty } from '../shared/detail-values.ts';
import { toUtcIso } from '../shared/timestamps.ts';
import type { OtxGeneral, OtxNamedEntry, OtxPulse } from './schema.ts';

/**
 * Caps that keep `details` to a few KB: a general section carries up to 50 pulses, each
 * with dozens of tags.
 */
const MAX_LISTED_PULSES = 10;
const MAX_PULSE_NAME = 150;
const MAX_RAW_PULSE_NAME = 300;
const MAX_TAGS = 50;
const MAX_TAGS_PER_PULSE = 10;
const MAX_RAW_TAGS_PER_PULSE = 20;
const MAX_NAMES = 30;
const MAX_VALIDATIONS = 10;

/**
 * Picks the context of a general section: pulse count, reputation, validation notes,
 * false-positive reports, ASN and country, the adversaries, malware families, ATT&CK
 * techniques and tags across the pulses, and the most recently modified pulses. Pulse
 * descriptions, references and authors are left out: they are free text and usernames,
 * and references have held pasted WHOIS records with personal contact data.
 */
export function generalDetails(general: OtxGeneral): Record<string, unknown> {
  const pulses = general.pulse_info.pulses ?? [];
  const related = [general.pulse_info.related?.alienvault, general.pulse_info.related?.other];
  return withoutEmpty({
    otxType: general.type,
    pulseCount: general.pulse_info.count,
    reputation: general.reputation,
    validation: (general.validation ?? [])
      .slice(0, MAX_VALIDATIONS)
      .map((entry) =>
        withoutEmpty({ source: entry.source, name: entry.name, message: entry.message }),
      ),
    falsePositiveReports: (general.false_positive ?? []).slice(0, MAX_VALIDATIONS).map((report) =>
      withoutEmpty({
        assessment: report.assessment,
        assessedAt: toUtcIso(report.assessment_date),
        reportedAt: toUtcIso(report.report_date),
      }),
    ),
    asn: general.asn,
    countryCode: general.country_code,
    countryName: general.country_name,
    domain: general.domain,
    hostname: general.hostname,
    adversaries: capList(
      [
        ...related.flatMap((group) => group?.adversary ?? []),
        ...pulses.map((pulse) => pulse.adversary),
      ],
      MAX_NAMES,
    ),
    malwareFamilies: capList(
      [
        ...related.flatMap((group) => group?.malware_families ?? []),
        ...pulses.flatMap((pulse) => pulse.malware_families ?? []),
      ].map(entryName),
      MAX_NAMES,
    ),
    attackIds: capList(pulses.flatMap((pulse) => pulse.attack_ids ?? []).map(entryId), MAX_NAMES),
    tags: capList(
      pulses.flatMap((pulse) => pulse.tags ?? []),
      MAX_TAGS,
    ),
    pulses: mostRecent(pulses).slice(0, MAX_LISTED_PULSES).map(pulseSummary),
  });
}

/**
 * Summarizes a general section for the raw payload, so that 50 pulses fit the raw payload
 * limit (the 484 KB section of a Microsoft address becomes 32 KB). Members that can hold personal data (pulse descriptions,
 * references, authors, `base_indicator`) are left out. Families and techniques become names
 * and ids, with at most MAX_RAW_TAGS_PER_PULSE tags and techniques per pulse, and names are
 * cut to MAX_RAW_PULSE_NAME characters.
 */
export function generalRawPayload(general: OtxGeneral): Record<string, unknown> {
  const { pulse_info: pulseInfo } = general;
  return withoutEmpty({
    indicator: general.indicator,
    type: general.type,
    type_title: general.type_title,
    reputation: general.reputation,
    validation: general.validation,
    false_positive: general.false_positive,
    asn: general.asn,
    country_code: general.country_code,
    country_name: general.country_name,
    domain: general.domain,
    hostname: general.hostname,
    pulse_info: withoutEmpty({
      count: pulseInfo.count,
      related: pulseInfo.related,
      pulses: (pulseInfo.pulses ?? []).map((pulse) =>
        withoutEmpty({
          id: pulse.id,
          name:
            pulse.name === undefined || pulse.name === null
              ? undefined
              : truncate(pulse.name, MAX_RAW_PULSE_NAME),
          created: pulse.created,
          modified: pulse.modified,
          tags: capList(pulse.tags, MAX_RAW_TAGS_PER_PULSE),
          adversary: pulse.adversary,
          malware_families: capList(
            (pulse.malware_families ?? []).map(entryName),
            MAX_TAGS_PER_PULSE,
          ),
          attack_ids: capList((pulse.attack_ids ?? []).map(entryId), MAX_RAW_TAGS_PER_PULSE),
          industries: capList(pulse.industries, MAX_TAGS_PER_PULSE),
          targeted_countries: capList(pulse.targeted_countries, MAX_TAGS_PER_PULSE),
          TLP: pulse.TLP,
        }),
      ),
    }),
  });
}

function pulseSummary(pulse: OtxPulse): Record<string, unknown> {
  return withoutEmpty({
    id: pulse.id,
    name:
      pulse.name === undefined || pulse.name === null
        ? undefined
        : truncate(pulse.name, MAX_PULSE_NAME),
    modified: toUtcIso(pulse.modified),
    tags: capList(pulse.tags, MAX_TAGS_PER_PULSE),
    adversary: pulse.adversary,
    malwareFamilies: capList((pulse.malware_families ?? []).map(entryName), MAX_TAGS_PER_PULSE),
    tlp: pulse.TLP,
  });
}

function mostRecent(pulses: readonly OtxPulse[]): OtxPulse[] {
  const modified = (pulse: OtxPulse) => toUtcIso(pulse.modified ?? pulse.created) ?? '';
  return [...pulses].sort((a, b) => modified(b).localeCompare(modified(a)));
}

function entryName(entry: OtxNamedEntry): string | undefined {
  return typeof entry === 'string'
    ? entry
    : (entry.display_name ?? entry.name ?? entry.id ?? undefined);
}

function entryId(entry: OtxNamedEntry): string | undefined {
  return typeof entry === 'string' ? entry : (entry.id ?? entry.display_name ?? undefined);
}
