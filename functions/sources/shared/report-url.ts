/**
 * Returns a report link taken from a vendor payload when it is an https URL on the vendor's
 * own host, else undefined. A sender controls the payload, so a link elsewhere is dropped
 * rather than shown to analysts as the vendor's report.
 *
 * @example vendorReportUrl('https://urlhaus.abuse.ch/url/3546109/', 'urlhaus.abuse.ch')
 */
export function vendorReportUrl(
  value: string | null | undefined,
  host: string,
): string | undefined {
  if (value === undefined || value === null) return undefined;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return undefined;
  }
  return url.protocol === 'https:' && url.hostname === host ? url.href : undefined;
}

/**
 * Returns the value when it is an http or https URL, else undefined. Vendors put references
 * in free-text fields; keeping only URLs keeps the text itself, which may name people, out.
 */
export function httpUrlOnly(value: string | null | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  try {
    const url = new URL(value.trim());
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
