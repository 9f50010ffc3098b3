import { randomUUID } from 'node:crypto';
import type { RelayConfig } from '../config/schema.ts';
import type { SourceAdapter } from '../sources/source.ts';
import { IngestError } from './errors.ts';
import {
  acceptPayload,
  rejectionResult,
  type DeliveryLog,
  type IngestDependencies,
  type IngestResult,
} from './pipeline.ts';

/** The envelope EventBridge puts around every event it delivers. */
export interface EventBridgeEvent {
  version?: string;
  id?: string;
  'detail-type': string;
  source: string;
  account?: string;
  time?: string;
  region?: string;
  resources?: string[];
  detail: unknown;
}

/** True for an EventBridge event, as opposed to an API Gateway request. */
export function isEventBridgeEvent(event: unknown): event is EventBridgeEvent {
  return (
    typeof event === 'object' &&
    event !== null &&
    typeof (event as Record<string, unknown>)['detail-type'] === 'string' &&
    typeof (event as Record<string, unknown>).source === 'string' &&
    'detail' in event
  );
}

/**
 * Takes one EventBridge event through the same validate, normalize and enqueue steps as a
 * webhook. AWS authenticated the event already; the relay checks only that an enabled
 * source handles its `source` and `detail-type`. A source delivered through the
 * configured partner event bus gets the event's `detail` as its payload, unless it is an
 * EventBridge source itself, which reads the whole event.
 */
export async function ingestEvent(
  event: EventBridgeEvent,
  deps: IngestDependencies,
): Promise<IngestResult> {
  const now = deps.now?.() ?? new Date();
  const log: DeliveryLog = {
    deliveryId: deps.newDeliveryId?.() ?? randomUUID(),
    source: '(unrouted)',
    eventId: event.id,
  };

  try {
    const route = routeEvent(event, deps.config, deps.getSource);
    if (route === undefined) {
      throw new IngestError(
        404,
        'unknown_source',
        `No enabled source handles events with source "${event.source}" and detail-type ` +
          `"${event['detail-type']}". Enable the source or narrow the EventBridge rule.`,
      );
    }
    log.source = route.sourceId;
    const payload = route.adapter.channel === 'eventbridge' ? event : event.detail;
    return await acceptPayload(route.adapter, payload, log, now, deps);
  } catch (error) {
    return rejectionResult(error, log, deps.logger);
  }
}

/** Finds the enabled source for an event: by its EventBridge match, else the partner bus setting. */
export function routeEvent(
  event: EventBridgeEvent,
  config: RelayConfig,
  getSource: (id: string) => SourceAdapter | undefined,
): { sourceId: string; adapter: SourceAdapter } | undefined {
  for (const [sourceId, settings] of Object.entries(config.sources)) {
    const adapter = getSource(sourceId);
    const match = adapter?.eventBridge;
    if (!settings.enabled || adapter === undefined || match === undefined) continue;
    if (match.sources.includes(event.source) && match.detailTypes.includes(event['detail-type'])) {
      return { sourceId, adapter };
    }
  }

  const partner = config.deployment.partnerEventBus;
  if (partner === undefined || !partner.eventPattern.source.includes(event.source))
    return undefined;
  const detailTypes = partner.eventPattern.detailType;
  if (detailTypes !== undefined && !detailTypes.includes(event['detail-type'])) return undefined;
  const adapter = getSource(partner.sourceId);
  const settings = config.sources[partner.sourceId];
  if (adapter === undefined || settings?.enabled !== true) return undefined;
  return { sourceId: partner.sourceId, adapter };
}
