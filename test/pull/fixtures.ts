/**
 * Vendor responses shaped like each vendor's documentation, with documentation
 * addresses (RFC 5737, RFC 3849) and example.com names only.
 */

/** A ThreatFox IOC as get_iocs lists it; `firstSeen` is written the way ThreatFox writes it. */
export function threatFoxIoc(id: number, firstSeen: string, host = `c2-${id}.example.com`) {
  return {
    id: String(id),
    ioc: `https://${host}/gate.php`,
    threat_type: 'botnet_cc',
    threat_type_desc: 'Indicator that identifies a botnet command&control server (C&C)',
    ioc_type: 'url',
    ioc_type_desc: 'URL that is used for botnet Command&control (C&C)',
    malware: 'win.asyncrat',
    malware_printable: 'AsyncRAT',
    malware_alias: null,
    malware_malpedia: 'https://malpedia.caad.fkie.fraunhofer.de/details/win.asyncrat',
    confidence_level: 75,
    first_seen: firstSeen,
    last_seen: null,
    reference: null,
    reporter: 'abuse_ch',
    tags: ['asyncrat'],
  };
}

/** The get_iocs response: newest first, as ThreatFox lists them. */
export function threatFoxAnswer(iocs: ReturnType<typeof threatFoxIoc>[]) {
  if (iocs.length === 0)
    return { query_status: 'no_result', data: 'Your search did not yield any results' };
  return {
    query_status: 'ok',
    data: [...iocs].sort((a, b) => (a.first_seen < b.first_seen ? 1 : -1)),
  };
}

/** A URLhaus recent-URLs entry. */
export function urlhausUrl(id: number, dateAdded: string) {
  return {
    id: String(id),
    urlhaus_reference: `https://urlhaus.abuse.ch/url/${id}/`,
    url: `http://203.0.113.${id % 250}:8080/bins/payload-${id}.sh`,
    url_status: 'online',
    host: `203.0.113.${id % 250}`,
    date_added: dateAdded,
    threat: 'malware_download',
    blacklists: { spamhaus_dbl: 'not listed', surbl: 'not listed' },
    reporter: 'example_reporter',
    larted: 'true',
    tags: ['elf', 'mirai'],
  };
}

/** An AbuseIPDB blacklist entry. */
export function abuseIpDbEntry(ip: string, lastReportedAt: string, score = 100) {
  return { ipAddress: ip, countryCode: 'NL', abuseConfidenceScore: score, lastReportedAt };
}

/** An OTX pulse as /api/v1/pulses/subscribed lists it, with its indicators. */
export function otxPulse(id: string, modified: string, indicators: Array<[string, string]>) {
  return {
    id,
    name: `Pulse ${id}`,
    description: 'Analyst notes that the relay leaves out.',
    author_name: 'analyst-handle',
    modified,
    created: modified,
    revision: 1,
    tlp: 'white',
    public: 1,
    adversary: '',
    tags: ['phishing'],
    targeted_countries: [],
    malware_families: [{ id: 'Emotet', display_name: 'Emotet' }],
    attack_ids: [],
    industries: [],
    references: ['https://blog.example.org/report'],
    indicators: indicators.map(([type, indicator], index) => ({
      id: Number(`${id.replace(/\D/g, '').slice(0, 6) || '1'}${index}`),
      indicator,
      type,
      created: modified,
      title: '',
      description: '',
      content: '',
      is_active: 1,
      role: null,
      expiration: null,
    })),
  };
}

/** A VirusTotal API v3 domain report. */
export function virusTotalDomain(domain: string, lastAnalysisDate: number, malicious = 0) {
  return {
    data: {
      type: 'domain',
      id: domain,
      links: { self: `https://www.virustotal.com/api/v3/domains/${domain}` },
      attributes: {
        last_analysis_date: lastAnalysisDate,
        last_analysis_stats: { harmless: 60, malicious, suspicious: 0, undetected: 10, timeout: 0 },
        reputation: 0,
        tags: [],
      },
    },
  };
}
