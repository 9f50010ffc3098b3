import { toDotPath } from 'zod/v4/core';
import { isIP } from 'node:net';
import { ipScope, unmapIpv4 } from '../../records/ip.ts';
import {
  canonicalizeObservable,
  InvalidObservableError,
  type Observable,
  type ObservableType,
} from '../../records/observable.ts';
import type { SourceContext } from '../source.ts';

/**
 * The part an observable plays in a finding. `remote` is the other party of a network connection,
 * API call or port probe; `queried_domain` a domain name a resource looked up. Only those two,
 * and Security Hub's threat intelligence indicators, can carry a verdict: `local` and
 * `resource` addresses belong to the customer's own resources, and `network_source` or
 * `network_destination` are the two ends of a connection whose direction is not given.
 */
export type ObservableRole =
  | 'remote'
  | 'queried_domain'
  | 'threat_indicator'
  | 'local'
  | 'resource'
  | 'network_source'
  | 'network_destination';

/** Roles whose observable a threat-intelligence finding is about. */
export const VERDICT_ROLES: ReadonlySet<ObservableRole> = new Set([
  'remote',
  'queried_domain',
  'threat_indicator',
]);

/** Phrases for summaries such as "198.51.100.7 is the remote address in …". */
export const ROLE_PHRASES: Record<ObservableRole, string> = {
  remote: 'the remote address',
  queried_domain: 'the domain name queried',
  threat_indicator: 'a threat intelligence indicator',
  local: 'the local address',
  resource: 'an address of the affected resource',
  network_source: 'the network source',
  network_destination: 'the network destination',
};

/** At most this many observables are read from one finding, so a port probe from thousands of addresses stays a few records. */
export const MAX_OBSERVABLES_PER_FINDING = 50;

/** An observable read from a finding, with every role it plays there. */
export interface FindingObservable {
  observable: Observable;
  roles: ObservableRole[];
  /** Facts the finding gives about the observable: ports, protocol, direction, ASN, country. */
  context: Record<string, unknown>;
}

/** Path of a field in the payload, as zod reports it: `["detail", "findings", 0, "Id"]`. */
export type PayloadPath = (string | number)[];

/** A value that was left out, for the adapter to report through `SourceContext.skip`. */
export interface UnreadObservable {
  /** The field, written as the sender wrote it: `detail.service.action.dnsRequestAction.domain`. */
  path: string;
  value: string;
  reason: string;
}

/**
 * Gathers the observables of one finding. The same value read from several fields becomes
 * one entry with all its roles, compared in canonical form. Empty strings and unspecified
 * addresses (0.0.0.0/8 and ::) are skipped without a report, because AWS writes them where no
 * address is known. Values that are no valid observable are listed in `unread` instead of
 * failing the finding.
 */
export class FindingObservables {
  readonly #entries = new Map<string, FindingObservable>();
  readonly unread: UnreadObservable[] = [];
  /** Count of valid observables left out past MAX_OBSERVABLES_PER_FINDING. */
  overLimit = 0;

  /** Adds an IPv4 or IPv6 address. An IPv4-mapped IPv6 address becomes IPv4. */
  addIp(
    value: unknown,
    role: ObservableRole,
    path: PayloadPath,
    context: Record<string, unknown> = {},
  ): void {
    if (typeof value !== 'string' || value.trim() === '') return;
    const address = unmapIpv4(value.trim());
    const version = isIP(address);
    if (version === 0) {
      const reason = `"${abbreviate(value)}" is not an IP address.`;
      this.unread.push({ path: toDotPath(path), value: abbreviate(value), reason });
      return;
    }
    if (ipScope(address) === 'unspecified') return;
    this.add(version === 4 ? 'ipv4' : 'ipv6', address, role, path, context);
  }

  /** Adds a domain name, such as the name in a DNS request. */
  addDomain(
    value: unknown,
    role: ObservableRole,
    path: PayloadPath,
    context: Record<string, unknown> = {},
  ): void {
    if (typeof value !== 'string' || value.trim() === '') return;
    this.add('domain', value, role, path, context);
  }

  /** Adds a value of a known observable type. An invalid value is listed in `unread`. */
  add(
    type: ObservableType,
    value: string,
    role: ObservableRole,
    path: PayloadPath,
    context: Record<string, unknown> = {},
  ): void {
    let observable: Observable;
    try {
      observable = canonicalizeObservable(type, value);
    } catch (error) {
      if (!(error instanceof InvalidObservableError)) throw error;
      this.unread.push({
        path: toDotPath(path),
        value: abbreviate(value),
        reason: error.message,
      });
      return;
    }

    const facts = Object.fromEntries(
      Object.entries(context).filter(([, fact]) => fact !== undefined && fact !== null),
    );
    const key = `${observable.type}:${observable.value}`;
    const existing = this.#entries.get(key);
    if (existing !== undefined) {
      if (!existing.roles.includes(role)) existing.roles.push(role);
      // The first field that named the value keeps its facts; later fields only fill gaps.
      existing.context = { ...facts, ...existing.context };
      return;
    }
    if (this.#entries.size >= MAX_OBSERVABLES_PER_FINDING) {
      this.overLimit += 1;
      return;
    }
    this.#entries.set(key, { observable, roles: [role], context: facts });
  }

  /** Returns the observables in the order they were first read. */
  list(): FindingObservable[] {
    return [...this.#entries.values()];
  }
}

/**
 * Reports what a finding's observables left out through `context.skip`: each invalid value
 * as `invalid_observable`, and the count past the limit as `observable_limit`.
 */
export function reportLeftOut(
  collected: FindingObservables,
  findingId: string,
  context: SourceContext,
): void {
  for (const unread of collected.unread) {
    context.skip?.('invalid_observable', { findingId, ...unread });
  }
  if (collected.overLimit > 0) {
    context.skip?.('observable_limit', {
      findingId,
      omitted: collected.overLimit,
      limit: MAX_OBSERVABLES_PER_FINDING,
    });
  }
}

function abbreviate(value: string): string {
  return value.length <= 120 ? value : `${value.slice(0, 117)}...`;
}
