import { createHash } from 'node:crypto';
import { DEFAULT_ENRICHMENT_MAPPING_ID } from '../../sandbox/server.ts';

/**
 * Webhook bodies of a chosen size for the benchmarked sources. Each body is built once as
 * a template and made unique per event by replacing SEQUENCE_TOKEN with an 8-digit
 * number, so every event carries new observables (deduplication never hides work) while
 * building an event stays cheap and its size stays fixed.
 */

/** Placeholder for the per-event number; decimal digits keep hash values valid hex. */
export const SEQUENCE_TOKEN = '@@SEQ@@';
const SEQUENCE_DIGITS = 8;

/** Sources whose bodies this module builds; `standard-webhooks` takes generic records. */
export type BenchSource = 'virustotal' | 'generic' | 'standard-webhooks';

export const BENCH_SOURCES: readonly BenchSource[] = ['virustotal', 'generic', 'standard-webhooks'];

/** Body sizes of the ingest measurement: about 1 KB, 20 KB and 500 KB. */
export const BODY_SIZES = [
  { label: '1 KB', bytes: 1024 },
  { label: '20 KB', bytes: 20 * 1024 },
  { label: '500 KB', bytes: 500 * 1024 },
] as const;

/** The generic source accepts at most this many records in one request. */
const MAX_GENERIC_RECORDS = 500;
/** Target size of one generic record before padding, so large bodies hold many records. */
const GENERIC_RECORD_BYTES = 1000;
/** The schema's limit on a record summary. */
const MAX_SUMMARY_LENGTH = 4000;
/** Engines in a full VirusTotal file report (the API lists about 70 to 90). */
const MAX_ENGINES = 90;

/** A body template of about `bytes` bytes for a source; see `fillTemplate`. */
export function bodyTemplate(source: BenchSource, bytes: number): string {
  return source === 'virustotal' ? virusTotalTemplate(bytes) : genericTemplate(bytes);
}

/** Returns the body for event number `sequence` of a template. */
export function fillTemplate(template: string, sequence: number): Buffer {
  const digits = String(sequence % 10 ** SEQUENCE_DIGITS).padStart(SEQUENCE_DIGITS, '0');
  return Buffer.from(template.replaceAll(SEQUENCE_TOKEN, digits), 'utf8');
}

/** Byte length of a template once the token is replaced. */
export function filledLength(template: string): number {
  return fillTemplate(template, 0).length;
}

/** A hex string of `length` characters once filled, such as a SHA-256 that differs per event. */
function hashLike(length: number, salt: string): string {
  const hex = createHash('sha512').update(salt).digest('hex');
  return hex.slice(0, length - SEQUENCE_DIGITS) + SEQUENCE_TOKEN;
}

/** Length of a token-bearing JSON value once the token is replaced. */
function jsonLength(value: unknown): number {
  const text = JSON.stringify(value);
  return Buffer.byteLength(text) + countTokens(text) * (SEQUENCE_DIGITS - SEQUENCE_TOKEN.length);
}

function countTokens(text: string): number {
  return text.split(SEQUENCE_TOKEN).length - 1;
}

/** Records of the four kinds in the relay's own shape, as a SOAR playbook would send them. */
function genericRecord(index: number): Record<string, unknown> {
  const host = `host-${SEQUENCE_TOKEN}-${index}`;
  switch (index % 4) {
    case 0:
      return {
        kind: 'threat_lookup_result',
        observable: { type: 'domain', value: `${host}.example.com` },
        finding: ['Malicious', 'Suspicious', 'Clean'][index % 3],
        source: 'Example Threat Feed',
        summary: '',
        lookedUpAt: '2026-06-01T12:05:00Z',
      };
    case 1:
      return {
        kind: 'observable_enrichment',
        observable: hashLike(64, `enrichment-${index}`),
        source: 'Example Sandbox',
        summary: '',
        enrichedAt: '2026-06-01T12:10:00Z',
        details: {
          verdict: 'loader',
          signatures: ['injects into explorer.exe', 'disables Windows Defender'],
        },
      };
    case 2:
      return {
        kind: 'ci_enrichment',
        ci: `${host}.example.net`,
        ciClass: 'cmdb_ci_linux_server',
        source: 'Example EDR',
        summary: '',
        details: { process: '/usr/bin/curl', remoteHost: `${host}.example.org`, action: 'blocked' },
      };
    default:
      return {
        kind: 'enrichment_mapping',
        enrichmentMappingId: DEFAULT_ENRICHMENT_MAPPING_ID,
        rawData: JSON.stringify({
          indicator: `${host}.example.org`,
          type: 'domain',
          score: index % 100,
        }),
      };
  }
}

/**
 * A `{"records": [...]}` body: as many records as fit about GENERIC_RECORD_BYTES each
 * (at least one, at most the source's limit), with summaries padded to reach the size.
 */
function genericTemplate(bytes: number): string {
  const count = Math.min(
    MAX_GENERIC_RECORDS,
    Math.max(1, Math.round(bytes / GENERIC_RECORD_BYTES)),
  );
  const records = Array.from({ length: count }, (_, index) => genericRecord(index));
  const padded = records.filter((record) => 'summary' in record);
  let missing = bytes - jsonLength({ records });
  for (const [position, record] of padded.entries()) {
    const share = Math.min(MAX_SUMMARY_LENGTH, Math.ceil(missing / (padded.length - position)));
    if (share <= 0) break;
    record.summary = padText(share);
    missing -= share;
  }
  return JSON.stringify({ records });
}

function padText(length: number): string {
  const sentence = 'Seen in phishing e-mails sent to the finance team. ';
  return sentence.repeat(Math.ceil(length / sentence.length)).slice(0, length);
}

/**
 * A VirusTotal API v3 file report: engine verdicts up to a full report's count, then PE
 * import entries (the usual bulk of a large report) until the body reaches the size.
 */
function virusTotalTemplate(bytes: number): string {
  const sha256 = hashLike(64, 'virustotal-file');
  const attributes: Record<string, unknown> = {
    last_analysis_date: 1_780_315_200,
    first_submission_date: 1_780_142_400,
    times_submitted: 3,
    reputation: -42,
    tags: ['peexe', 'long-sleeps'],
    last_analysis_stats: {},
    last_analysis_results: {},
    meaningful_name: `invoice-${SEQUENCE_TOKEN}.exe`,
    type_description: 'Win32 EXE',
    size: 482_304,
    md5: hashLike(32, 'virustotal-md5'),
    sha1: hashLike(40, 'virustotal-sha1'),
    sha256,
  };
  const report = {
    data: {
      type: 'file',
      id: sha256,
      links: { self: `https://www.virustotal.com/api/v3/files/${sha256}` },
      attributes,
    },
  };

  const engines: Record<string, unknown> = {};
  const stats = { malicious: 0, suspicious: 0, undetected: 0, harmless: 0 };
  const engine = (index: number) => ({
    category: index % 5 < 3 ? 'malicious' : 'undetected',
    engine_name: `ExampleEngine${index}`,
    engine_update: '20260601',
    engine_version: '1.0',
    method: 'blacklist',
    result: index % 5 < 3 ? 'Trojan.Example.Loader' : null,
  });
  const engineBytes = jsonLength({ ExampleEngine10: engine(10) }) + 1;
  const engineCount = Math.min(
    MAX_ENGINES,
    Math.max(1, Math.floor((bytes - jsonLength(report)) / engineBytes)),
  );
  for (let index = 0; index < engineCount; index++) {
    const verdict = engine(index);
    engines[`ExampleEngine${index}`] = verdict;
    stats[verdict.category as 'malicious' | 'undetected'] += 1;
  }
  attributes.last_analysis_results = engines;
  attributes.last_analysis_stats = stats;

  const missing = bytes - jsonLength(report);
  const importEntry = (index: number) => ({
    library_name: `example${index}.dll`,
    imported_functions: ['CreateFileW', 'ReadFile', 'WriteFile', 'CloseHandle', 'VirtualAlloc'],
  });
  const entryBytes = jsonLength(importEntry(100)) + 1;
  if (missing > entryBytes * 2) {
    const count = Math.floor(missing / entryBytes);
    attributes.pe_info = {
      import_list: Array.from({ length: count }, (_, index) => importEntry(index)),
    };
  }
  return JSON.stringify(report);
}
