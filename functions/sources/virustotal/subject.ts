import { isIP } from 'node:net';
import {
  canonicalizeObservable,
  InvalidObservableError,
  type Observable,
  type ObservableType,
} from '../../records/observable.ts';
import { NormalizationError } from '../source.ts';
import type { VirusTotalAnalysisMeta, VirusTotalObject } from './schema.ts';
import type { ReportType } from './verdict.ts';

export const REPORT_TYPES: readonly ReportType[] = ['file', 'url', 'domain', 'ip_address'];

/** The observable a report is about, and where an analyst reads the report. */
export interface ReportSubject {
  type: ReportType;
  observable: Observable;
  /** The report in the VirusTotal web interface, when its id is known. */
  reportUrl?: string;
}

type Path = (string | number)[];

const GUI_PATHS: Record<ReportType, string> = {
  file: 'file',
  url: 'url',
  domain: 'domain',
  ip_address: 'ip-address',
};

/** Nouns for summaries such as "3/90 engines flagged this IP address as malicious". */
export const REPORT_NOUNS: Record<ReportType, string> = {
  file: 'file',
  url: 'URL',
  domain: 'domain',
  ip_address: 'IP address',
};

export function isReportType(type: string): type is ReportType {
  return (REPORT_TYPES as readonly string[]).includes(type);
}

/**
 * Finds the observable of a file, url, domain or ip_address object: a file's SHA-256 (from
 * `attributes.sha256`, else the id), a URL's submitted `attributes.url` (not the
 * `last_final_url` it redirected to), a domain's or IP address's id.
 */
export function subjectOfReport(
  type: ReportType,
  object: VirusTotalObject,
  path: Path,
): ReportSubject {
  const id = String(object.id);
  switch (type) {
    case 'file': {
      const sha256 = object.attributes?.sha256 ?? id;
      const observable = canonicalize('sha256', sha256, [...path, 'id'], 'the file');
      return { type, observable, reportUrl: guiUrl(type, observable.value) };
    }
    case 'url': {
      const url = object.attributes?.url;
      if (url === undefined || url === null) {
        throw new NormalizationError(
          `The url object "${id}" has no attributes.url, so the URL it reports on is unknown. ` +
            'Send the full object as GET /api/v3/urls/{id} returns it.',
          [...path, 'attributes', 'url'],
        );
      }
      const observable = canonicalize('url', url, [...path, 'attributes', 'url'], 'the URL');
      return { type, observable, reportUrl: guiUrl(type, id) };
    }
    case 'domain': {
      const observable = canonicalize('domain', id, [...path, 'id'], 'the domain');
      return { type, observable, reportUrl: guiUrl(type, observable.value) };
    }
    case 'ip_address': {
      const ipType: ObservableType = isIP(id.trim()) === 6 ? 'ipv6' : 'ipv4';
      const observable = canonicalize(ipType, id, [...path, 'id'], 'the IP address');
      return { type, observable, reportUrl: guiUrl(type, observable.value) };
    }
  }
}

/**
 * Finds the observable of an analysis from the response's `meta`: `url_info.url` for a URL
 * analysis, else `file_info.sha256`. A URL analysis may carry both, and then `file_info`
 * describes the content the URL served, not the analysed item.
 */
export function subjectOfAnalysis(
  analysisId: string,
  meta: VirusTotalAnalysisMeta | null | undefined,
): ReportSubject {
  const url = meta?.url_info?.url;
  if (url !== undefined && url !== null) {
    const observable = canonicalize('url', url, ['meta', 'url_info', 'url'], 'the URL');
    // URL analysis ids are "u-<sha256 of the URL>-<timestamp>"; that SHA-256 is the URL's id.
    const urlId = meta?.url_info?.id ?? /^u-([0-9a-f]{64})-\d+$/.exec(analysisId)?.[1];
    return { type: 'url', observable, reportUrl: urlId ? guiUrl('url', urlId) : undefined };
  }

  const sha256 = meta?.file_info?.sha256;
  if (sha256 !== undefined && sha256 !== null) {
    const observable = canonicalize('sha256', sha256, ['meta', 'file_info', 'sha256'], 'the file');
    return { type: 'file', observable, reportUrl: guiUrl('file', observable.value) };
  }

  throw new NormalizationError(
    `The analysis "${analysisId}" has neither meta.url_info.url nor meta.file_info.sha256, so ` +
      'the item it analysed is unknown. Send the whole GET /api/v3/analyses/{id} response, ' +
      'including its "meta" member.',
    ['meta'],
  );
}

function canonicalize(type: ObservableType, value: string, path: Path, what: string): Observable {
  try {
    return canonicalizeObservable(type, value);
  } catch (error) {
    if (error instanceof InvalidObservableError) {
      throw new NormalizationError(`Cannot read ${what} of this report: ${error.message}`, path, {
        cause: error,
      });
    }
    throw error;
  }
}

function guiUrl(type: ReportType, id: string): string {
  // Colons may stand in a path segment (RFC 3986), so IPv6 addresses stay readable.
  const segment = encodeURIComponent(id).replace(/%3A/gi, ':');
  return `https://www.virustotal.com/gui/${GUI_PATHS[type]}/${segment}`;
}
