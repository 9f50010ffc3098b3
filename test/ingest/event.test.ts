import type { Context } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { parseConfig } from '../../functions/config/load.ts';
import type { SecretStore } from '../../functions/credentials/secret-store.ts';
import { routeEvent, type EventBridgeEvent } from '../../functions/ingest/event.ts';
import { createIngestHandler, EventRejectedError } from '../../functions/ingest/lambda.ts';
import type { DeliveryMessage } from '../../functions/queue/message.ts';
import { InMemoryMetrics } from '../../functions/shared/metrics.ts';
import { genericSource } from '../../functions/sources/generic/index.ts';
import type { SourceAdapter } from '../../functions/sources/source.ts';
import { captureLogger } from '../helpers/capture-logger.ts';
import { localContext } from '../../local/lambda-context.ts';

/** An event-driven adapter like the AWS ones: findings in `detail`, sample findings skipped. */
const findingsSource: SourceAdapter<{ detail: { findings: { ip: string; sample?: boolean }[] } }> =
  {
    id: 'findings',
    vendorName: 'Example Findings',
    channel: 'eventbridge',
    eventBridge: { sources: ['example.findings'], detailTypes: ['Finding Imported'] },
    payloadSchema: z.object({
      detail: z.object({
        findings: z.array(z.object({ ip: z.ipv4(), sample: z.boolean().optional() })),
      }),
    }),
    normalize(payload, context) {
      return payload.detail.findings.flatMap((finding) => {
        if (finding.sample === true) {
          context.skip?.('sample finding', { ip: finding.ip });
          return [];
        }
        return [
          {
            kind: 'observable_enrichment' as const,
            observable: { type: 'ipv4' as const, value: finding.ip },
            source: 'Example Findings',
          },
        ];
      });
    },
  };

const config = parseConfig({
  sources: {
    findings: { auth: { type: 'none' } },
    generic: { secretName: 'unused', auth: { type: 'hmac' } },
  },
  deployment: {
    partnerEventBus: {
      name: 'aws.partner/example.com/1/relay',
      sourceId: 'generic',
      eventPattern: { source: ['aws.partner/example.com'] },
    },
  },
});

const sources: Record<string, SourceAdapter> = {
  findings: findingsSource as SourceAdapter,
  generic: genericSource as SourceAdapter,
};
const getSource = (id: string) => (Object.hasOwn(sources, id) ? sources[id] : undefined);
const noSecrets: SecretStore = {
  getJson: async () => {
    throw new Error('EventBridge sources read no secret');
  },
};

function event(source: string, detailType: string, detail: unknown): EventBridgeEvent {
  return {
    version: '0',
    id: 'event-1',
    source,
    'detail-type': detailType,
    account: '123456789012',
    time: '2026-03-01T12:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail,
  };
}

let queued: DeliveryMessage[];
let logs: ReturnType<typeof captureLogger>;
let handler: ReturnType<typeof createIngestHandler>;
const context = (): Context => localContext('ingest-test', 10_000);

beforeEach(() => {
  queued = [];
  logs = captureLogger();
  handler = createIngestHandler(logs.logger, () => ({
    config,
    secrets: noSecrets,
    queue: { enqueue: async (messages) => void queued.push(...messages) },
    getSource,
    logger: logs.logger,
    metrics: new InMemoryMetrics(),
  }));
});

describe('EventBridge ingest', () => {
  it('routes an event by source and detail-type and queues its records', async () => {
    const result = await handler(
      event('example.findings', 'Finding Imported', {
        findings: [{ ip: '198.51.100.1' }, { ip: '198.51.100.2' }],
      }),
      context(),
    );
    expect(result).toMatchObject({ status: 'accepted', records: 2 });
    expect(queued.map((message) => message.source)).toEqual(['findings', 'findings']);
  });

  it('logs and counts skipped items', async () => {
    const result = await handler(
      event('example.findings', 'Finding Imported', {
        findings: [{ ip: '198.51.100.1', sample: true }],
      }),
      context(),
    );
    expect(result).toMatchObject({ records: 0, skipped: 1 });
    const skipped = logs.lines().find((line) => line.message === 'Item skipped');
    expect(skipped).toMatchObject({
      reason: 'sample finding',
      ip: '198.51.100.1',
      source: 'findings',
      eventId: 'event-1',
    });
  });

  it('throws for an event no source handles, so Lambda keeps it', async () => {
    const rejected = handler(event('example.findings', 'Something Else', {}), context());
    await expect(rejected).rejects.toBeInstanceOf(EventRejectedError);
    await expect(rejected).rejects.toThrow(/unknown_source/);
    expect(queued).toHaveLength(0);
  });

  it('throws a schema error naming the field', async () => {
    const rejected = handler(
      event('example.findings', 'Finding Imported', { findings: [{ ip: 'not-an-ip' }] }),
      context(),
    );
    await expect(rejected).rejects.toThrow(/schema_validation_failed.*detail\.findings\[0\]\.ip/);
  });

  it('gives a partner bus source the event detail', async () => {
    const detail = {
      kind: 'threat_lookup_result',
      observable: '203.0.113.5',
      finding: 'Suspicious',
      source: 'Partner',
    };
    const result = await handler(event('aws.partner/example.com', 'Indicator', detail), context());
    expect(result).toMatchObject({ records: 1 });
    expect(queued[0]?.source).toBe('generic');
  });

  it('ignores a disabled source when routing', () => {
    const disabled = parseConfig({
      sources: { findings: { enabled: false, auth: { type: 'none' } } },
    });
    expect(
      routeEvent(event('example.findings', 'Finding Imported', {}), disabled, getSource),
    ).toBeUndefined();
  });
});

describe('source configuration', () => {
  it('requires a secret unless auth is none', () => {
    expect(() => parseConfig({ sources: { vendor: { auth: { type: 'token' } } } })).toThrow(
      /sources\.vendor\.secretName/,
    );
    expect(() => parseConfig({ sources: { vendor: { auth: { type: 'none' } } } })).not.toThrow();
  });
});
