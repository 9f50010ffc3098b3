import type { Finding } from '../../records/finding.ts';
import { ipScope, isRoutableIp, type IpScope } from '../../records/ip.ts';
import type { Observable } from '../../records/observable.ts';

/** A finding with the sentence that explains it, for the lookup result's summary. */
export interface Verdict {
  finding: Finding;
  reason: string;
}

/**
 * Returns the scope of an IP observable, or undefined for any other observable type.
 * Sources put it in the enrichment details so analysts see that an address is private.
 */
export function observableIpScope(observable: Observable): IpScope | undefined {
  return observable.type === 'ipv4' || observable.type === 'ipv6'
    ? ipScope(observable.value)
    : undefined;
}

/**
 * Keeps a vendor's Malicious or Suspicious verdict off addresses that are not routed on
 * the internet (private, loopback, link-local, multicast, broadcast, reserved). Reports
 * about such addresses describe traffic that spoofed or misused them, so the verdict
 * would mark every host on a customer's own network. They become Unknown, with the
 * vendor's verdict kept in the reason. Every source applies this before it emits a verdict.
 */
export function guardNonRoutable(observable: Observable, verdict: Verdict): Verdict {
  if (observable.type !== 'ipv4' && observable.type !== 'ipv6') return verdict;
  if (isRoutableIp(observable.value)) return verdict;
  if (verdict.finding !== 'Malicious' && verdict.finding !== 'Suspicious') return verdict;
  return {
    finding: 'Unknown',
    reason:
      `${observable.value} is a ${ipScope(observable.value).replace('_', '-')} address, which is not ` +
      `routed on the internet, so the vendor's ${verdict.finding} verdict is not applied. ${verdict.reason}`,
  };
}
