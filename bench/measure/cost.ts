import type { RelayConfig } from '../../functions/config/schema.ts';
import { judged, type Figure } from '../lib/figure.ts';
import { PRICES, SOURCES } from '../lib/prices.ts';
import type { IngestCaseResult } from '../workers/ingest-cost.ts';

const MEASUREMENT = 'cost';

/** The event the estimate prices: one VirusTotal file report of about 20 KB. */
const EVENT_SOURCE = 'virustotal';
const EVENT_SIZE = '20 KB';
/**
 * An assumed response time of a ServiceNow instance to one create request, for the second
 * estimate; the loopback sandbox answers in well under a millisecond, a real instance does not.
 */
const ASSUMED_INSTANCE_RESPONSE_MS = 200;

export interface CostInputs {
  config: RelayConfig;
  ingestCases: IngestCaseResult[];
  /** Median wall time of one forward invocation over loopback, in milliseconds. */
  forwardInvocationMs: number;
  /** Records one forward invocation posts at once. */
  postsPerInvocation: number;
}

/** One priced line of the estimate, per event, with the arithmetic behind it. */
export interface CostLine {
  item: string;
  quantity: number;
  unit: string;
  dollarsPerEvent: number;
  arithmetic: string;
}

export interface CostEstimate {
  prices: typeof PRICES;
  sources: readonly string[];
  event: string;
  pipelines: Record<string, CostLine[]>;
}

interface Pipeline {
  api: 'http' | 'rest';
  arch: 'arm64' | 'x86';
  /** Wall time the instance adds to each wave of concurrent posts, in milliseconds. */
  instanceResponseMs: number;
}

/**
 * Estimates dollars per million events for the relay's pipeline (HTTP API, Lambda arm64,
 * SQS) and for the same pipeline on a REST API and x86, at the durations measured here.
 * Lambda gives a function a share of a vCPU in proportion to its memory, so measured
 * durations, taken on one full core of this machine, are stretched by 1769 MB / memory
 * (treating them as CPU-bound, which overstates the forwarder's) and rounded up to 1 ms.
 * arm64 is assumed as fast as this machine's core.
 */
export function estimateCost(inputs: CostInputs): { figures: Figure[]; estimate: CostEstimate } {
  const event = inputs.ingestCases.find(
    (result) => result.source === EVENT_SOURCE && result.sizeLabel === EVENT_SIZE,
  );
  if (event === undefined)
    throw new Error(`The ingest measurement has no ${EVENT_SOURCE} ${EVENT_SIZE} case to price.`);

  const pipelines: Record<string, Pipeline> = {
    'relay: HTTP API + Lambda arm64 + SQS': { api: 'http', arch: 'arm64', instanceResponseMs: 0 },
    'alternative: REST API + Lambda x86 + SQS': { api: 'rest', arch: 'x86', instanceResponseMs: 0 },
    [`relay, instance answering in ${ASSUMED_INSTANCE_RESPONSE_MS} ms (assumed)`]: {
      api: 'http',
      arch: 'arm64',
      instanceResponseMs: ASSUMED_INSTANCE_RESPONSE_MS,
    },
    [`alternative, instance answering in ${ASSUMED_INSTANCE_RESPONSE_MS} ms (assumed)`]: {
      api: 'rest',
      arch: 'x86',
      instanceResponseMs: ASSUMED_INSTANCE_RESPONSE_MS,
    },
  };
  const lines = Object.fromEntries(
    Object.entries(pipelines).map(([name, pipeline]) => [
      name,
      priceEvent(inputs, event, pipeline),
    ]),
  );
  const perMillion = (name: string) =>
    lines[name]!.reduce((total, line) => total + line.dollarsPerEvent, 0) * 1e6;
  const [relay, alternative, slowRelay, slowAlternative] = Object.keys(pipelines) as [
    string,
    string,
    string,
    string,
  ];
  const eventName = `one ${EVENT_SOURCE} report of ${event.bodyBytes} B giving ${event.recordsPerEvent} records`;

  const figures: Figure[] = [
    judged({
      id: 'cost.per-million-events',
      measurement: MEASUREMENT,
      label: `estimate, ${relay}, ${eventName}`,
      value: perMillion(relay),
      unit: 'USD per million events',
      baseline: {
        label: alternative,
        value: perMillion(alternative),
        unit: 'USD per million events',
      },
      ratio: perMillion(relay) / perMillion(alternative),
      target: {
        on: 'ratio',
        comparison: '<',
        limit: 1,
        meaning: 'the relay costs less to run than the same pipeline on a REST API and x86',
      },
      note: `${PRICES.region} list prices read on ${PRICES.readOn}; line items in results.json`,
    }),
    {
      id: 'cost.per-million-events.slow-instance',
      measurement: MEASUREMENT,
      label: `estimate, ${slowRelay}`,
      value: perMillion(slowRelay),
      unit: 'USD per million events',
      baseline: {
        label: slowAlternative,
        value: perMillion(slowAlternative),
        unit: 'USD per million events',
      },
      ratio: perMillion(slowRelay) / perMillion(slowAlternative),
      note: 'the forwarder waits for the instance, so its billed time follows the instance',
    },
  ];
  return {
    figures,
    estimate: { prices: PRICES, sources: SOURCES, event: eventName, pipelines: lines },
  };
}

function priceEvent(inputs: CostInputs, event: IngestCaseResult, pipeline: Pipeline): CostLine[] {
  const { deployment } = inputs.config;
  const lines: CostLine[] = [];

  if (pipeline.api === 'http') {
    const requests = Math.ceil(event.bodyBytes / PRICES.httpApiMeteringBytes);
    lines.push({
      item: 'API Gateway HTTP API',
      quantity: requests,
      unit: 'requests',
      dollarsPerEvent: (requests * PRICES.httpApiPerMillion) / 1e6,
      arithmetic: `ceil(${event.bodyBytes} B / 512 KB) = ${requests} × $${PRICES.httpApiPerMillion}/M`,
    });
  } else {
    lines.push({
      item: 'API Gateway REST API',
      quantity: 1,
      unit: 'requests',
      dollarsPerEvent: PRICES.restApiPerMillion / 1e6,
      arithmetic: `1 × $${PRICES.restApiPerMillion}/M`,
    });
  }

  const ingestMs = event.relay.p50 / 1000;
  lines.push(...lambdaLines('ingest', 1, ingestMs, deployment.ingest.memorySizeMb, pipeline.arch));

  const batchSize = deployment.forward.batchSize;
  const invocations = event.recordsPerEvent / batchSize;
  const waves = Math.ceil(batchSize / inputs.postsPerInvocation);
  // Waiting for the instance takes the same wall time whatever the CPU share.
  const waitMs = waves * pipeline.instanceResponseMs;
  lines.push(
    ...lambdaLines(
      'forward',
      invocations,
      inputs.forwardInvocationMs,
      deployment.forward.memorySizeMb,
      pipeline.arch,
      waitMs,
    ),
  );

  lines.push(sqsLine(event.messageBytes, batchSize));
  return lines;
}

function lambdaLines(
  name: string,
  invocations: number,
  measuredMs: number,
  memoryMb: number,
  arch: Pipeline['arch'],
  waitMs = 0,
): CostLine[] {
  const stretch = Math.max(1, PRICES.lambdaMbPerVcpu / memoryMb);
  const billedMs = Math.ceil(measuredMs * stretch + waitMs);
  const gbSeconds = (memoryMb / 1024) * (billedMs / 1000) * invocations;
  const price = arch === 'arm64' ? PRICES.lambdaArmPerGbSecond : PRICES.lambdaX86PerGbSecond;
  return [
    {
      item: `Lambda ${name} requests`,
      quantity: invocations,
      unit: 'invocations',
      dollarsPerEvent: (invocations * PRICES.lambdaRequestsPerMillion) / 1e6,
      arithmetic: `${invocations.toFixed(2)} × $${PRICES.lambdaRequestsPerMillion}/M`,
    },
    {
      item: `Lambda ${name} duration (${arch})`,
      quantity: gbSeconds,
      unit: 'GB-s',
      dollarsPerEvent: gbSeconds * price,
      arithmetic:
        `ceil(${measuredMs.toFixed(2)} ms × ${stretch.toFixed(2)} CPU share` +
        `${waitMs > 0 ? ` + ${waitMs} ms waiting for the instance` : ''}) = ${billedMs} ms × ` +
        `${memoryMb / 1024} GB × ${invocations.toFixed(2)} invocations × $${price}/GB-s`,
    },
  ];
}

/**
 * SQS requests of one event: SendMessageBatch of up to 10 messages at ingest, then one
 * ReceiveMessage and one DeleteMessageBatch per forward batch, each counted per 64 KB.
 */
function sqsLine(messageBytes: number[], batchSize: number): CostLine {
  const chunks = (bytes: number) => Math.max(1, Math.ceil(bytes / PRICES.sqsMeteringBytes));
  let sends = 0;
  for (let start = 0; start < messageBytes.length; start += 10) {
    sends += chunks(
      messageBytes.slice(start, start + 10).reduce((total, bytes) => total + bytes, 0),
    );
  }
  const average =
    messageBytes.reduce((total, bytes) => total + bytes, 0) / Math.max(1, messageBytes.length);
  const batchesPerEvent = messageBytes.length / batchSize;
  const receives = batchesPerEvent * chunks(average * batchSize);
  const deletes = batchesPerEvent;
  const requests = sends + receives + deletes;
  return {
    item: 'SQS standard queue',
    quantity: requests,
    unit: 'requests',
    dollarsPerEvent: (requests * PRICES.sqsPerMillion) / 1e6,
    arithmetic:
      `${sends} send + ${receives.toFixed(2)} receive + ${deletes.toFixed(2)} delete requests ` +
      `(messages of ${messageBytes.join(', ')} B, 64 KB each) × $${PRICES.sqsPerMillion}/M`,
  };
}
