import type { Finding } from '../../records/finding.ts';
import {
  ipScope,
  isRoutableCidr,
  isRoutableIp,
  parseCidr,
  type IpScope,
} from '../../records/ip.ts';
import type { Observable } from '../../records/observable.ts';

/** A finding with the sentence that explains it, for the lookup result's summary. */
export interface Verdict {
  finding: Finding;
  reason: string;
}

/**
 * Returns the scope of an IP observable, or undefined for any other observable type. For a
 * CIDR range it is the scope of the range's network address. Sources put it in the
 * enrichment details so analysts see that an address is private.
 */
export function observableIpScope(observable: Observable): IpScope | undefined {
  if (observable.type === 'ipv4' || observable.type === 'ipv6') return ipScope(observable.value);
  if (observable.type === 'cidr') {
    const cidr = parseCidr(observable.value);
    return cidr === undefined ? undefined : ipScope(cidr.address);
  }
  return undefined;
}

/**
 * Keeps a vendor's Malicious or Suspicious verdict off addresses that are not routed on
 * the internet (private, loopback, link-local, multicast, broadcast, reserved), and off CIDR
 * ranges that hold any such address. Reports about such addresses describe traffic that
 * spoofed or misused them, so the verdict would mark every host on a customer's own network.
 * They become Unknown, with the vendor's verdict kept in the reason. Every source applies
 * this before it emits a verdict.
 */
export function guardNonRoutable(observable: Observable, verdict: Verdict): Verdict {
  if (verdict.finding !== 'Malicious' && verdict.finding !== 'Suspicious') return verdict;
  const notRouted = describeNotRouted(observable);
  if (notRouted === undefined) return verdict;
  return {
    finding: 'Unknown',
    reason:
      `${observable.value} ${notRouted}, so the vendor's ${verdict.finding} verdict is not ` +
      `applied. ${verdict.reason}`,
  };
}

/** Describes why an observable is not routed on the internet, or returns undefined when it is. */
function describeNotRouted(observable: Observable): string | undefined {
  if (observable.type === 'ipv4' || observable.type === 'ipv6') {
    if (isRoutableIp(observable.value)) return undefined;
    return `is ${describeIpScope(ipScope(observable.value))}, which is not routed on the internet`;
  }
  if (observable.type === 'cidr') {
    const cidr = parseCidr(observable.value);
    if (cidr === undefined || isRoutableCidr(cidr)) return undefined;
    return 'contains addresses that are not routed on the internet (private, reserved or other special-purpose ones)';
  }
  return undefined;
}

/** Names an address scope with its article, such as "a private address" or "an unspecified address". */
export function describeIpScope(scope: IpScope): string {
  const words = scope.replace('_', '-');
  return `${/^[aeiou]/.test(words) ? 'an' : 'a'} ${words} address`;
}
