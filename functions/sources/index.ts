import { abuseIpDbSource } from './abuseipdb/index.ts';
import { genericSource } from './generic/index.ts';
import { greyNoiseSource } from './greynoise/index.ts';
import { guardDutySource } from './guardduty/index.ts';
import { otxSource } from './otx/index.ts';
import { securityHubSource } from './securityhub/index.ts';
import type { SourceAdapter } from './source.ts';
import { shodanSource } from './shodan/index.ts';
import { standardWebhooksSource } from './standard-webhooks/index.ts';
import { threatFoxSource } from './threatfox/index.ts';
import { urlhausSource } from './urlhaus/index.ts';
import { virusTotalSource } from './virustotal/index.ts';

/**
 * Every source the relay accepts data from, by id. Adding a vendor is one folder under
 * `functions/sources/` and one line here; docs/sources.md describes the steps.
 */
export const SOURCES: Readonly<Record<string, SourceAdapter>> = Object.freeze({
  [virusTotalSource.id]: virusTotalSource,
  [genericSource.id]: genericSource,
  [standardWebhooksSource.id]: standardWebhooksSource,
  [urlhausSource.id]: urlhausSource,
  [threatFoxSource.id]: threatFoxSource,
  [otxSource.id]: otxSource,
  [guardDutySource.id]: guardDutySource,
  [securityHubSource.id]: securityHubSource,
  [abuseIpDbSource.id]: abuseIpDbSource,
  [greyNoiseSource.id]: greyNoiseSource,
  [shodanSource.id]: shodanSource,
});

/** Returns the source with this id, or undefined; ids such as "constructor" never match. */
export function getSource(id: string): SourceAdapter | undefined {
  return Object.hasOwn(SOURCES, id) ? SOURCES[id] : undefined;
}

/** Ids of every registered source, for messages that list them. */
export const SOURCE_IDS: readonly string[] = Object.keys(SOURCES);
