import { FindingObservables, type PayloadPath } from '../shared/aws-observables.ts';
import type { GuardDutyFinding, GuardDutyRemoteIpDetails } from './schema.ts';

/**
 * Reads the observables of a GuardDuty finding. They are the remote address of each action
 * (network connection, API call, port probe, Kubernetes API call, RDS login attempt), the
 * domain name of a DNS request and the local addresses of connections and probes. The
 * private, public and IPv6 addresses of the instance come last. `path` locates the finding
 * in the payload.
 */
export function guardDutyObservables(
  finding: GuardDutyFinding,
  path: PayloadPath,
): FindingObservables {
  const collected = new FindingObservables();
  const action = finding.service?.action;
  const actionPath = [...path, 'service', 'action'];

  const connection = action?.networkConnectionAction;
  if (connection) {
    const at = [...actionPath, 'networkConnectionAction'];
    const context = {
      connectionDirection: connection.connectionDirection,
      protocol: connection.protocol,
      blocked: connection.blocked,
    };
    addRemote(collected, connection.remoteIpDetails, at, {
      ...context,
      remotePort: connection.remotePortDetails?.port,
    });
    addLocal(collected, connection.localIpDetails, at, {
      ...context,
      localPort: connection.localPortDetails?.port,
    });
  }

  const apiCall = action?.awsApiCallAction;
  addRemote(collected, apiCall?.remoteIpDetails, [...actionPath, 'awsApiCallAction'], {
    api: apiCall?.api,
    apiServiceName: apiCall?.serviceName,
  });

  const dns = action?.dnsRequestAction;
  collected.addDomain(
    dns?.domain,
    'queried_domain',
    [...actionPath, 'dnsRequestAction', 'domain'],
    { protocol: dns?.protocol, blocked: dns?.blocked },
  );

  const probe = action?.portProbeAction;
  for (const [index, detail] of (probe?.portProbeDetails ?? []).entries()) {
    const at = [...actionPath, 'portProbeAction', 'portProbeDetails', index];
    const context = { blocked: probe?.blocked, localPort: detail.localPortDetails?.port };
    addRemote(collected, detail.remoteIpDetails, at, context);
    addLocal(collected, detail.localIpDetails, at, context);
  }

  const kubernetesCall = action?.kubernetesApiCallAction;
  addRemote(
    collected,
    kubernetesCall?.remoteIpDetails,
    [...actionPath, 'kubernetesApiCallAction'],
    {
      verb: kubernetesCall?.verb,
    },
  );
  const rdsLogin = action?.rdsLoginAttemptAction;
  addRemote(collected, rdsLogin?.remoteIpDetails, [...actionPath, 'rdsLoginAttemptAction'], {});

  const interfaces = finding.resource?.instanceDetails?.networkInterfaces ?? [];
  for (const [index, networkInterface] of interfaces.entries()) {
    const at = [...path, 'resource', 'instanceDetails', 'networkInterfaces', index];
    collected.addIp(networkInterface.privateIpAddress, 'resource', [...at, 'privateIpAddress']);
    for (const [entryIndex, entry] of (networkInterface.privateIpAddresses ?? []).entries()) {
      const entryPath = [...at, 'privateIpAddresses', entryIndex, 'privateIpAddress'];
      collected.addIp(entry.privateIpAddress, 'resource', entryPath);
    }
    collected.addIp(networkInterface.publicIp, 'resource', [...at, 'publicIp']);
    for (const [addressIndex, address] of (networkInterface.ipv6Addresses ?? []).entries()) {
      collected.addIp(address, 'resource', [...at, 'ipv6Addresses', addressIndex]);
    }
  }

  return collected;
}

/** Adds a remote address with the network owner and country GuardDuty looked up for it. */
function addRemote(
  collected: FindingObservables,
  details: GuardDutyRemoteIpDetails | null | undefined,
  at: PayloadPath,
  context: Record<string, unknown>,
): void {
  if (!details) return;
  const organization = details.organization;
  const asn = organization?.asn;
  const owner = {
    ...context,
    asn: asn === undefined || asn === null ? undefined : String(asn),
    asnOrg: organization?.asnOrg,
    isp: organization?.isp,
    org: organization?.org,
    country: details.country?.countryName,
    countryCode: details.country?.countryCode,
  };
  const detailsPath = [...at, 'remoteIpDetails'];
  collected.addIp(details.ipAddressV4, 'remote', [...detailsPath, 'ipAddressV4'], owner);
  collected.addIp(details.ipAddressV6, 'remote', [...detailsPath, 'ipAddressV6'], owner);
}

function addLocal(
  collected: FindingObservables,
  details: { ipAddressV4?: string | null; ipAddressV6?: string | null } | null | undefined,
  at: PayloadPath,
  context: Record<string, unknown>,
): void {
  const detailsPath = [...at, 'localIpDetails'];
  collected.addIp(details?.ipAddressV4, 'local', [...detailsPath, 'ipAddressV4'], context);
  collected.addIp(details?.ipAddressV6, 'local', [...detailsPath, 'ipAddressV6'], context);
}
