import { authHeaders } from '../../cli/sign.ts';
import type { RelayConfig } from '../../functions/config/schema.ts';
import { DEFAULT_ENRICHMENT_MAPPING_ID } from '../../sandbox/server.ts';
import type { SeededRandom } from './random.ts';

/** Sources the workload sends as; `partner-events` are EventBridge events routed to `generic`. */
export type Channel = 'virustotal' | 'generic' | 'standard-webhooks' | 'partner-events';

/** Source of the events that come through the partner event bus in the test configuration. */
export const PARTNER_EVENT_SOURCE = 'partner.example';

/** One delivery the workload sends, and what the relay should make of it. */
export interface PlannedSend {
  index: number;
  channel: Channel;
  /** The webhook body, or the EventBridge event for `partner-events`. */
  payload: unknown;
  webhookId?: string;
  /** Index of the earlier send this one repeats exactly, as a vendor or EventBridge redelivers. */
  redeliveryOf?: number;
  /** Index of the earlier send whose finding this one re-sends with a new count. */
  updateOf?: number;
}

export interface SendResult {
  send: PlannedSend;
  status: number;
  body: Record<string, unknown>;
  /** Epoch milliseconds when the request started and when its response arrived. */
  startedAt: number;
  answeredAt: number;
}

/** Documentation-only names, so nothing the workload creates can point at a real host. */
const domain = (prefix: string, index: number) => `${prefix}-${index}.example.com`;

/**
 * Draws `events` deliveries from the seeded generator: VirusTotal domain reports (two
 * records each), `generic` records of every kind over HMAC, Standard Webhooks deliveries
 * with a webhook-id, and EventBridge events from a partner bus. About 3 % of the generic
 * records are ones the instance rejects (a lookup without its mandatory report URL, an
 * unknown enrichment mapping). About 8 % of the deliveries repeat an earlier one exactly
 * and 4 % re-send an earlier finding with a new count.
 */
export function planWorkload(events: number, random: SeededRandom): PlannedSend[] {
  const sends: PlannedSend[] = [];
  const updatable: number[] = [];
  for (let index = 0; index < events; index++) {
    const previous = sends.length;
    const shape =
      previous < 20
        ? 'fresh'
        : random.weighted([
            ['fresh', 88],
            ['redelivery', 8],
            ['update', 4],
          ] as const);
    if (shape === 'redelivery') {
      const original = sends[random.integer(0, previous - 1)]!;
      const first = original.redeliveryOf ?? original.index;
      sends.push({ ...sends[first]!, index, redeliveryOf: first, updateOf: undefined });
      continue;
    }
    if (shape === 'update' && updatable.length > 0) {
      const original = updatable[random.integer(0, updatable.length - 1)]!;
      sends.push({
        index,
        channel: 'generic',
        payload: findingRecords(original, 1 + (index % 7)),
        updateOf: original,
      });
      continue;
    }

    const channel = random.weighted([
      ['virustotal', 30],
      ['generic', 30],
      ['standard-webhooks', 20],
      ['partner-events', 20],
    ] as const);
    switch (channel) {
      case 'virustotal':
        sends.push({ index, channel, payload: virusTotalDomainReport(index, random) });
        break;
      case 'generic':
        if (random.chance(0.25)) {
          sends.push({ index, channel, payload: findingRecords(index, 0) });
          updatable.push(index);
        } else {
          sends.push({ index, channel, payload: { records: [genericRecord(index, 0, random)] } });
        }
        break;
      case 'standard-webhooks': {
        const count = random.integer(1, 3);
        const records = Array.from({ length: count }, (_, position) =>
          genericRecord(index, position, random),
        );
        sends.push({
          index,
          channel,
          payload: { records },
          webhookId: `msg_${index}_${random.integer(0, 1e9)}`,
        });
        break;
      }
      case 'partner-events':
        sends.push({
          index,
          channel,
          payload: {
            version: '0',
            id: `event-${index}-${random.integer(0, 1e9)}`,
            source: PARTNER_EVENT_SOURCE,
            'detail-type': 'Detection',
            account: '123456789012',
            time: '2026-03-01T12:00:00Z',
            region: 'eu-west-1',
            resources: [],
            detail: { records: [genericRecord(index, 0, random)] },
          },
        });
        break;
    }
  }
  return sends;
}

function virusTotalDomainReport(index: number, random: SeededRandom) {
  const malicious = random.integer(0, 20);
  return {
    data: {
      type: 'domain',
      id: domain('vt', index),
      links: { self: `https://www.virustotal.com/api/v3/domains/${domain('vt', index)}` },
      attributes: {
        last_analysis_date: 1_767_225_600 + index,
        reputation: -malicious,
        tags: [],
        last_analysis_stats: {
          malicious,
          suspicious: random.integer(0, 3),
          harmless: 60,
          undetected: 20,
          timeout: 0,
        },
        last_analysis_results: {},
      },
    },
  };
}

/** Builds one record of a random kind; about 3 % are built to be rejected by the instance. */
function genericRecord(
  index: number,
  position: number,
  random: SeededRandom,
): Record<string, unknown> {
  const summary = `workload record ${index}.${position}`;
  const rejected = random.chance(0.03);
  switch (
    random.weighted([
      ['lookup', 40],
      ['observable', 25],
      ['ci', 20],
      ['mapping', 15],
    ] as const)
  ) {
    case 'lookup':
      return {
        kind: 'threat_lookup_result',
        observable: domain(`lookup${position}`, index),
        finding: random.weighted([
          ['Malicious', 1],
          ['Suspicious', 1],
          ['Clean', 1],
          ['Unknown', 1],
        ] as const),
        source: 'Example Feed',
        summary,
        // The test configuration makes the report URL mandatory, so a lookup without one is rejected.
        ...(!rejected && { reportUrl: `https://feed.example.org/report/${index}/${position}` }),
      };
    case 'observable':
      return {
        kind: 'observable_enrichment',
        observable: domain(`enriched${position}`, index),
        source: 'Example Feed',
        summary,
        details: { score: random.integer(0, 100) },
      };
    case 'ci':
      return {
        kind: 'ci_enrichment',
        ci: domain(`host${position}`, index),
        source: 'Example EDR',
        summary,
        details: { agent: 'example' },
      };
    case 'mapping':
      return {
        kind: 'enrichment_mapping',
        // An unknown mapping makes the instance respond "Unable to persist record".
        enrichmentMappingId: rejected ? 'f'.repeat(32) : DEFAULT_ENRICHMENT_MAPPING_ID,
        rawData: JSON.stringify({
          observable: domain(`mapped${position}`, index),
          source: 'Example Mapper',
          summary,
        }),
      };
  }
}

/**
 * Builds a finding as a vendor re-sends it while it is still active: the same observable with a
 * new count and update time, the way GuardDuty updates `service.count` and `updatedAt`.
 */
function findingRecords(index: number, revision: number) {
  const count = 10 + revision;
  return {
    records: [
      {
        kind: 'observable_enrichment',
        observable: domain('finding', index),
        source: 'Example Detector',
        summary: `brute force seen ${count} times`,
        details: {
          count,
          updatedAt: new Date(Date.UTC(2026, 2, 1, 12, revision)).toISOString(),
          severity: 1 + (revision % 8),
        },
      },
    ],
  };
}

/** Sends one planned delivery to the local relay, authenticated as its source requires. */
export async function deliver(
  send: PlannedSend,
  relayUrl: string,
  config: RelayConfig,
): Promise<SendResult> {
  const body = Buffer.from(JSON.stringify(send.payload));
  const startedAt = Date.now();
  let response: Response;
  if (send.channel === 'partner-events') {
    response = await fetch(`${relayUrl}/local/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
  } else {
    const settings = config.sources[send.channel]!;
    const secret = config.local!.secrets[settings.secretName!]!.secret as string;
    response = await fetch(`${relayUrl}/webhooks/${send.channel}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...authHeaders(settings.auth, secret, body, new Date(), send.webhookId),
      },
      body,
    });
  }
  const answer = (await response.json()) as Record<string, unknown>;
  return { send, status: response.status, body: answer, startedAt, answeredAt: Date.now() };
}
