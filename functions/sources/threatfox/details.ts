import { capList, withoutEmpty } from '../shared/detail-values.ts';
import { httpUrlOnly, vendorReportUrl } from '../shared/report-url.ts';
import { timeSpan, toUtcIso } from '../shared/timestamps.ts';
import type { ReadIoc } from './ioc.ts';
import type { ThreatFoxIoc } from './schema.ts';

/** Caps that keep `details` to a few KB when a search returns many IOCs for one address. */
const MAX_LISTED_IOCS = 20;
const MAX_TAGS = 50;
const MAX_FAMILIES = 20;
const MAX_PORTS = 50;
const MAX_SAMPLES = 10;

/** The name ThreatFox gives IOCs it could not attribute; it is no malware family. */
const UNKNOWN_MALWARE = 'Unknown malware';

/**
 * Picks the context of the IOCs for one observable: each IOC's id, value, port, threat
 * type, malware family and aliases, confidence, dates, tags, reference and compromised flag,
 * and across them the families, threat types, tags, ports, confidence range and samples.
 * The reporter's handle and credits are left out: they name people.
 */
export function iocDetails(iocs: readonly ReadIoc[]): Record<string, unknown> {
  const all = iocs.map((read) => read.ioc);
  return withoutEmpty({
    iocCount: iocs.length,
    maxConfidence: maxConfidence(all),
    firstSeen: timeSpan(all.map((ioc) => ioc.first_seen)).earliest,
    lastSeen: timeSpan(all.map((ioc) => ioc.last_seen)).latest,
    malwareFamilies: capList(
      all.map((ioc) => ioc.malware_printable).filter((name) => name !== UNKNOWN_MALWARE),
      MAX_FAMILIES,
    ),
    threatTypes: capList(
      all.map((ioc) => ioc.threat_type),
      MAX_FAMILIES,
    ),
    tags: capList(
      all.flatMap((ioc) => ioc.tags ?? []),
      MAX_TAGS,
    ),
    ports: capList(
      iocs.map((read) => read.port),
      MAX_PORTS,
    ),
    malwareSamples: capList(
      all
        .flatMap((ioc) => ioc.malware_samples ?? [])
        .map((sample) =>
          withoutEmpty({
            seenAt: toUtcIso(sample.time_stamp),
            md5: sample.md5_hash,
            sha256: sample.sha256_hash,
            malwareBazaar: vendorReportUrl(sample.malware_bazaar, 'bazaar.abuse.ch'),
          }),
        ),
      MAX_SAMPLES,
    ),
    iocs: iocs.slice(0, MAX_LISTED_IOCS).map(listedIoc),
  });
}

/** Highest `confidence_level` among the IOCs, or undefined when none has one. */
export function maxConfidence(iocs: readonly ThreatFoxIoc[]): number | undefined {
  const levels = iocs.map((ioc) => ioc.confidence_level).filter(isDefined);
  return levels.length === 0 ? undefined : Math.max(...levels);
}

/** Returns the IOC's page on threatfox.abuse.ch, or undefined when its id is unknown. */
export function iocPage(ioc: ThreatFoxIoc): string | undefined {
  const id = ioc.id === undefined || ioc.id === null ? '' : String(ioc.id).trim();
  return /^\d+$/.test(id) ? `https://threatfox.abuse.ch/ioc/${id}/` : undefined;
}

function listedIoc(read: ReadIoc): Record<string, unknown> {
  const { ioc } = read;
  return withoutEmpty({
    id: ioc.id === undefined || ioc.id === null ? undefined : String(ioc.id),
    ioc: ioc.ioc,
    iocType: ioc.ioc_type,
    port: read.port,
    threatType: ioc.threat_type,
    malware: ioc.malware_printable,
    malwareAliases: ioc.malware_alias,
    malpedia: httpUrlOnly(ioc.malware_malpedia),
    confidence: ioc.confidence_level,
    isCompromised: ioc.is_compromised,
    firstSeen: toUtcIso(ioc.first_seen),
    lastSeen: toUtcIso(ioc.last_seen),
    tags: capList(ioc.tags, MAX_TAGS),
    reference: httpUrlOnly(ioc.reference),
    reportUrl: iocPage(ioc),
  });
}

function isDefined<T>(value: T | null | undefined): value is T {
  return value !== undefined && value !== null;
}
