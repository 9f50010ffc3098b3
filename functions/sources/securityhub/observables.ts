import type { ObservableType } from '../../records/observable.ts';
import {
  FindingObservables,
  type ObservableRole,
  type PayloadPath,
} from '../shared/aws-observables.ts';
import { productFieldsMatching } from './product.ts';
import type { AsffFinding, AsffRemoteIpDetails } from './schema.ts';

/** Observable types of ASFF threat intelligence indicators; MUTEX and PROCESS are no observables. */
const INDICATOR_TYPES: Record<string, ObservableType> = {
  IPV4_ADDRESS: 'ipv4',
  IPV6_ADDRESS: 'ipv6',
  DOMAIN: 'domain',
  URL: 'url',
  EMAIL_ADDRESS: 'email',
  HASH_MD5: 'md5',
  HASH_SHA1: 'sha1',
  HASH_SHA256: 'sha256',
  HASH_SHA512: 'sha512',
};

// GuardDuty's flattened action members, such as
// "aws/guardduty/service/action/networkConnectionAction/remoteIpDetails/ipAddressV4".
const GUARDDUTY_ACTION = /^aws\/guardduty\/service\/action\/(.+)$/;
const REMOTE_ADDRESS = /remoteIpDetails\/ipAddressV[46]$/;
const LOCAL_ADDRESS = /localIpDetails\/ipAddressV[46]$/;
const QUERIED_DOMAIN = /^dnsRequestAction\/domain$/;

/**
 * Reads the observables of an ASFF finding from `Network`, `Action`, the flattened GuardDuty
 * members of `ProductFields`, the EC2 instance addresses in `Resources[].Details` and
 * `ThreatIntelIndicators`. `path` is where the finding sits in the payload.
 */
export function securityHubObservables(
  finding: AsffFinding,
  path: PayloadPath,
): FindingObservables {
  const collected = new FindingObservables();
  addNetwork(collected, finding, path);
  addActions(collected, finding, path);
  addGuardDutyProductFields(collected, finding, path);

  for (const [index, resource] of finding.Resources.entries()) {
    const instance = resource.Details?.AwsEc2Instance;
    const at = [...path, 'Resources', index, 'Details', 'AwsEc2Instance'];
    for (const [addressIndex, address] of (instance?.IpV4Addresses ?? []).entries()) {
      collected.addIp(address, 'resource', [...at, 'IpV4Addresses', addressIndex]);
    }
    for (const [addressIndex, address] of (instance?.IpV6Addresses ?? []).entries()) {
      collected.addIp(address, 'resource', [...at, 'IpV6Addresses', addressIndex]);
    }
  }

  for (const [index, indicator] of (finding.ThreatIntelIndicators ?? []).entries()) {
    const type = INDICATOR_TYPES[indicator.Type ?? ''];
    if (type === undefined || !indicator.Value) continue;
    const context = {
      indicatorCategory: indicator.Category,
      indicatorSource: indicator.Source,
      indicatorLastObservedAt: indicator.LastObservedAt,
    };
    const at = [...path, 'ThreatIntelIndicators', index, 'Value'];
    if (type === 'ipv4' || type === 'ipv6')
      collected.addIp(indicator.Value, 'threat_indicator', at, context);
    else collected.add(type, indicator.Value, 'threat_indicator', at, context);
  }
  return collected;
}

/**
 * Reads `Network`. With `Direction` IN the source is the remote end and the destination the
 * local one, and with OUT it is the other way round. Without a direction both ends keep
 * neutral roles, so neither gets a verdict.
 */
function addNetwork(collected: FindingObservables, finding: AsffFinding, path: PayloadPath): void {
  const network = finding.Network;
  if (!network) return;
  const at = [...path, 'Network'];
  const [sourceRole, destinationRole]: [ObservableRole, ObservableRole] =
    network.Direction === 'IN'
      ? ['remote', 'local']
      : network.Direction === 'OUT'
        ? ['local', 'remote']
        : ['network_source', 'network_destination'];
  const context = { direction: network.Direction, protocol: network.Protocol };
  const sourceContext = { ...context, sourcePort: network.SourcePort };
  const destinationContext = { ...context, destinationPort: network.DestinationPort };

  collected.addIp(network.SourceIpV4, sourceRole, [...at, 'SourceIpV4'], sourceContext);
  collected.addIp(network.SourceIpV6, sourceRole, [...at, 'SourceIpV6'], sourceContext);
  collected.addDomain(network.SourceDomain, sourceRole, [...at, 'SourceDomain'], sourceContext);
  collected.addIp(
    network.DestinationIpV4,
    destinationRole,
    [...at, 'DestinationIpV4'],
    destinationContext,
  );
  collected.addIp(
    network.DestinationIpV6,
    destinationRole,
    [...at, 'DestinationIpV6'],
    destinationContext,
  );
  collected.addDomain(
    network.DestinationDomain,
    destinationRole,
    [...at, 'DestinationDomain'],
    destinationContext,
  );
}

function addActions(collected: FindingObservables, finding: AsffFinding, path: PayloadPath): void {
  const action = finding.Action;
  if (!action) return;
  const at = [...path, 'Action'];

  const connection = action.NetworkConnectionAction;
  addRemote(collected, connection?.RemoteIpDetails, [...at, 'NetworkConnectionAction'], {
    connectionDirection: connection?.ConnectionDirection,
    protocol: connection?.Protocol,
    blocked: connection?.Blocked,
    remotePort: connection?.RemotePortDetails?.Port,
    localPort: connection?.LocalPortDetails?.Port,
  });

  const apiCall = action.AwsApiCallAction;
  addRemote(collected, apiCall?.RemoteIpDetails, [...at, 'AwsApiCallAction'], {
    api: apiCall?.Api,
    apiServiceName: apiCall?.ServiceName,
  });

  const dns = action.DnsRequestAction;
  collected.addDomain(dns?.Domain, 'queried_domain', [...at, 'DnsRequestAction', 'Domain'], {
    protocol: dns?.Protocol,
    blocked: dns?.Blocked,
  });

  const probe = action.PortProbeAction;
  for (const [index, detail] of (probe?.PortProbeDetails ?? []).entries()) {
    const probeAt = [...at, 'PortProbeAction', 'PortProbeDetails', index];
    const context = { blocked: probe?.Blocked, localPort: detail.LocalPortDetails?.Port };
    addRemote(collected, detail.RemoteIpDetails, probeAt, context);
    const localAt = [...probeAt, 'LocalIpDetails', 'IpAddressV4'];
    collected.addIp(detail.LocalIpDetails?.IpAddressV4, 'local', localAt, context);
  }
}

function addRemote(
  collected: FindingObservables,
  details: AsffRemoteIpDetails | null | undefined,
  at: PayloadPath,
  context: Record<string, unknown>,
): void {
  if (!details) return;
  const organization = details.Organization;
  collected.addIp(details.IpAddressV4, 'remote', [...at, 'RemoteIpDetails', 'IpAddressV4'], {
    ...context,
    asn:
      organization?.Asn === undefined || organization.Asn === null
        ? undefined
        : String(organization.Asn),
    asnOrg: organization?.AsnOrg,
    isp: organization?.Isp,
    org: organization?.Org,
    country: details.Country?.CountryName,
    countryCode: details.Country?.CountryCode,
  });
}

/**
 * Reads the flattened action members that GuardDuty writes into `ProductFields`. The network
 * owner and country of a remote address sit in sibling keys with the same prefix.
 */
function addGuardDutyProductFields(
  collected: FindingObservables,
  finding: AsffFinding,
  path: PayloadPath,
): void {
  const fields = finding.ProductFields ?? {};
  const sibling = (prefix: string, member: string) => {
    const value = fields[`${prefix}${member}`];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };

  for (const [key, value] of productFieldsMatching(finding, GUARDDUTY_ACTION)) {
    const member = GUARDDUTY_ACTION.exec(key)![1]!;
    const at = [...path, 'ProductFields', key];
    if (REMOTE_ADDRESS.test(member)) {
      const prefix = key.replace(/ipAddressV[46]$/, '');
      const actionPrefix = `aws/guardduty/service/action/${member.split('/')[0]}/`;
      const remotePort = Number(sibling(actionPrefix, 'remotePortDetails/port'));
      collected.addIp(value, 'remote', at, {
        connectionDirection: sibling(actionPrefix, 'connectionDirection'),
        protocol: sibling(actionPrefix, 'protocol'),
        remotePort: Number.isInteger(remotePort) ? remotePort : undefined,
        asn: sibling(prefix, 'organization/asn'),
        asnOrg: sibling(prefix, 'organization/asnOrg'),
        isp: sibling(prefix, 'organization/isp'),
        org: sibling(prefix, 'organization/org'),
        country: sibling(prefix, 'country/countryName'),
      });
    } else if (LOCAL_ADDRESS.test(member)) {
      collected.addIp(value, 'local', at);
    } else if (QUERIED_DOMAIN.test(member)) {
      collected.addDomain(value, 'queried_domain', at);
    }
  }
}
