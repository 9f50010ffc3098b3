import type { RelayConfig } from '../../functions/config/schema.ts';
import type { StoredDeadLetter } from '../../functions/queue/in-process.ts';
import type { RelayRecord } from '../../functions/records/record.ts';
import { SECOPS_ERROR_RETRYABLE, type SecOpsErrorCode } from '../../functions/secops/errors.ts';
import { getSource } from '../../functions/sources/index.ts';
import type { ProxiedRequest } from './fault-proxy.ts';
import type { FaultRun } from './run.ts';
import type { PlannedSend, SendResult } from './workload.ts';

/** The figures of a fault run, as docs/reliability.md reports them. */
export interface FaultReport {
  seed: number;
  events: number;
  eventsBySource: Record<string, number>;
  redeliveriesSent: number;
  updatesSent: number;
  recordsAccepted: number;
  delivered: number;
  deadLettered: Record<string, number>;
  lost: number;
  deliveredAndDeadLettered: number;
  duplicateDeliveriesAnswered: number;
  duplicatesDropped: number;
  extraCopiesStored: number;
  /** Records queued twice because identical deliveries were in flight at the same time. */
  concurrentDuplicatesQueued: number;
  /** Redeliveries queued again because a newer record for the same subject was accepted in between. */
  redeliveriesQueuedAfterNewer: number;
  /** Records queued again because a newer record for the same subject was accepted in between. */
  recordsQueuedAfterNewer: number;
  possibleDuplicatesCounted: number;
  instanceRequests: number;
  faultsInjected: Record<string, number>;
  outages: number;
  circuitOpened: number;
  circuitOpenReturns: number;
  rotation: {
    unauthorizedInWindow: number;
    unauthorizedAfterSecretUpdate: number;
    secretReadsInWindow: number;
    secretReadsAfterSecretUpdate: number;
  };
  peakForwardInvocations: number;
  maxConcurrency: number;
  peakInstanceRequests: number;
  durationMs: number;
}

/** A record the relay accepted, with where it ended up. */
interface Tracked {
  identity: string;
  /** Code the instance must reject the record with, for records built to be rejected. */
  rejectedWith?: SecOpsErrorCode;
  deliveryId: string;
  /** Deliveries that queued the record: more than one only when identical deliveries overlapped. */
  queuedBy: SendResult[];
  stored: number;
  deadLetters: StoredDeadLetter[];
  requests: ProxiedRequest[];
}

/**
 * Checks a fault run and returns its figures with every violation found:
 * - every delivery was accepted, and each redelivery was answered as a duplicate of
 *   records the relay had already queued;
 * - every accepted record is in the sandbox or in the dead-letter queue, never lost,
 *   and in both only when the entry says a POST of it went unanswered;
 * - each dead-letter reason is right: the rejection the instance gave (one built into
 *   the record, or an injected "Unable to persist record"), or `retries_exhausted`
 *   after the last receive with a transient last error;
 * - every stored copy comes from a POST the instance stored, the forwarder reported each
 *   queued record delivered once, and every extra copy belongs to a record the forwarder
 *   counted as a possible duplicate (a POST it got no answer to);
 * - the local forwarder stayed within `maxConcurrency`, and after the secret rotation
 *   the relay read the secret once.
 */
export function verifyFaultRun(run: FaultRun): { report: FaultReport; violations: string[] } {
  const { config, results, stack, sandbox } = run;
  const violations: string[] = [];
  const tracked = new Map<string, Tracked>();
  let duplicateDeliveries = 0;
  let redeliveriesQueuedAfterNewer = 0;
  let recordsQueuedAfterNewer = 0;
  const accepted = acceptedRecords(results, config);

  // In the order the relay saw the deliveries: redeliveries go out after every original, so
  // send indexes do not give that order, and per-subject dedupe depends on it.
  const bySendTime = results.toSorted((a, b) => a.startedAt - b.startedAt);
  for (const result of bySendTime) {
    const { send, status, body } = result;
    if (status !== 202) {
      violations.push(
        `send ${send.index} (${send.channel}) was answered ${status}: ${JSON.stringify(body)}`,
      );
      continue;
    }
    const records = normalizedRecords(send);
    if (body.duplicate === true) {
      duplicateDeliveries += 1;
      for (const record of records) {
        if (!tracked.has(identityOfRecord(record, config))) {
          violations.push(
            `send ${send.index} was answered as a duplicate, but no earlier delivery queued ${identityOfRecord(record, config)}`,
          );
        }
      }
      continue;
    }
    if (body.records !== records.length)
      violations.push(
        `send ${send.index} queued ${String(body.records)} records, not ${records.length}`,
      );
    let queuedAfterNewer = 0;
    for (const record of records) {
      const identity = identityOfRecord(record, config);
      const earlier = tracked.get(identity);
      if (earlier !== undefined) {
        // The dedupe check and the remembering of keys are not one atomic step, so two identical deliveries in flight together are both queued.
        if (earlier.queuedBy.some((other) => overlap(other, result))) {
          earlier.queuedBy.push(result);
          continue;
        }
        // A record is a duplicate only when it repeats its subject's last record, so a repeat after a newer record for the same subject is queued again.
        if (
          newerRecordBetween(accepted, earlier.queuedBy.at(-1)!, result, record, identity, config)
        ) {
          queuedAfterNewer += 1;
          recordsQueuedAfterNewer += 1;
          earlier.queuedBy.push(result);
          continue;
        }
        violations.push(
          `${identity} was queued again by send ${send.index}, after the delivery that queued it had been answered`,
        );
        earlier.queuedBy.push(result);
        continue;
      }
      tracked.set(identity, {
        identity,
        rejectedWith: builtToFail(record),
        deliveryId: String(body.deliveryId),
        queuedBy: [result],
        stored: 0,
        deadLetters: [],
        requests: [],
      });
    }
    if (send.redeliveryOf !== undefined) {
      if (queuedAfterNewer === records.length) redeliveriesQueuedAfterNewer += 1;
      else
        violations.push(`redelivery ${send.index} of send ${send.redeliveryOf} was queued again`);
    }
  }

  for (const table of new Set(Object.values(config.records).map((settings) => settings.table))) {
    for (const stored of sandbox.records(table)) {
      const entry = tracked.get(identityOfColumns(table, stored, config));
      if (entry === undefined)
        violations.push(
          `the sandbox holds a record nobody sent: ${table} ${JSON.stringify(stored).slice(0, 200)}`,
        );
      else entry.stored += 1;
    }
  }
  for (const dead of stack.deadLetters.list()) {
    const entry =
      dead.message === undefined
        ? undefined
        : tracked.get(identityOfRecord(dead.message.record, config));
    if (entry === undefined)
      violations.push(
        `a dead letter matches no accepted record: ${JSON.stringify(dead).slice(0, 200)}`,
      );
    else entry.deadLetters.push(dead);
  }
  for (const request of run.proxyLog) {
    const identity = identityOfRequest(request, config);
    if (identity !== undefined) tracked.get(identity)?.requests.push(request);
  }

  const possibleDuplicates = possibleDuplicateDeliveries(run);
  let lost = 0;
  let both = 0;
  let extraCopies = 0;
  let concurrentCopies = 0;
  const deadLettered: Record<string, number> = {};
  for (const entry of tracked.values()) {
    const dead = entry.deadLetters[0];
    const copies = entry.queuedBy.length;
    const endings = entry.stored + entry.deadLetters.length;
    if (entry.deadLetters.length > copies)
      violations.push(`${entry.identity} was dead-lettered ${entry.deadLetters.length} times`);
    if (endings < copies) {
      lost += copies - endings;
      violations.push(
        `${entry.identity} was accepted but is neither in the sandbox nor in the dead-letter queue`,
      );
    }
    if (entry.stored > 0 && dead !== undefined) {
      both += 1;
      if (dead.possiblyDelivered !== true && copies === 1)
        violations.push(
          `${entry.identity} is in the sandbox and in the dead-letter queue without possiblyDelivered`,
        );
    }
    if (entry.rejectedWith !== undefined && entry.stored > 0)
      violations.push(`${entry.identity} should have been rejected but was stored`);
    for (const entryDead of entry.deadLetters) {
      deadLettered[entryDead.reason] = (deadLettered[entryDead.reason] ?? 0) + 1;
      const wrong = wrongReason(entry, entryDead, config);
      if (wrong !== undefined) violations.push(`${entry.identity}: ${wrong}`);
    }
    concurrentCopies += copies - 1;
    const stores = entry.requests.filter((request) => request.upstreamStatus === 201).length;
    if (stores !== entry.stored)
      violations.push(
        `${entry.identity} is stored ${entry.stored} times, but ${stores} POSTs of it were stored`,
      );
    const extra = entry.stored - Math.max(0, copies - entry.deadLetters.length);
    if (extra > 0) {
      extraCopies += extra;
      // Each extra copy comes from a POST the instance stored while the relay got no response, which the forwarder counts.
      const counted = entry.queuedBy.some((queued) =>
        possibleDuplicates.has(String(queued.body.deliveryId)),
      );
      if (!counted && dead?.possiblyDelivered !== true) {
        violations.push(
          `${entry.identity} is stored ${entry.stored} times but was not counted as a possible duplicate`,
        );
      }
    }
  }

  const relayDeliveries = sumMetric(run, 'RecordsDelivered');
  const expectedDeliveries = [...tracked.values()].reduce(
    (sum, entry) => sum + entry.queuedBy.length - entry.deadLetters.length,
    0,
  );
  if (relayDeliveries !== expectedDeliveries) {
    violations.push(
      `the forwarder reported ${relayDeliveries} deliveries for ${expectedDeliveries} queued records that were not dead-lettered`,
    );
  }

  const rotation = rotationFigures(run);
  if (rotation.secretReadsAfterSecretUpdate !== 1) {
    violations.push(
      `the relay read the instance secret ${rotation.secretReadsAfterSecretUpdate} times after it was updated, not once`,
    );
  }
  const maxConcurrency = config.deployment.forward.maxConcurrency;
  if (stack.forwarder.peakConcurrency > maxConcurrency) {
    violations.push(
      `${stack.forwarder.peakConcurrency} forward invocations ran at once; the cap is ${maxConcurrency}`,
    );
  }

  const faultsInjected: Record<string, number> = {};
  for (const request of run.proxyLog) {
    if (request.fault !== undefined)
      faultsInjected[request.fault] = (faultsInjected[request.fault] ?? 0) + 1;
  }
  faultsInjected.unauthorized = run.proxyLog.filter(
    (request) => request.upstreamStatus === 401,
  ).length;

  const eventsBySource: Record<string, number> = {};
  for (const { send } of results)
    eventsBySource[send.channel] = (eventsBySource[send.channel] ?? 0) + 1;

  const report: FaultReport = {
    seed: run.options.seed,
    events: results.length,
    eventsBySource,
    redeliveriesSent: results.filter(({ send }) => send.redeliveryOf !== undefined).length,
    updatesSent: results.filter(({ send }) => send.updateOf !== undefined).length,
    recordsAccepted: tracked.size,
    delivered: [...tracked.values()].filter((entry) => entry.stored > 0).length,
    deadLettered,
    lost,
    deliveredAndDeadLettered: both,
    duplicateDeliveriesAnswered: duplicateDeliveries,
    duplicatesDropped: sumMetric(run, 'DuplicatesDropped'),
    extraCopiesStored: extraCopies,
    concurrentDuplicatesQueued: concurrentCopies - recordsQueuedAfterNewer,
    redeliveriesQueuedAfterNewer,
    recordsQueuedAfterNewer,
    possibleDuplicatesCounted: sumMetric(run, 'PossibleDuplicates'),
    instanceRequests: run.proxyLog.length,
    faultsInjected,
    outages: run.outages.length,
    circuitOpened: stack.breaker.opened,
    circuitOpenReturns: sumMetric(run, 'CircuitOpenReturns'),
    rotation,
    peakForwardInvocations: stack.forwarder.peakConcurrency,
    maxConcurrency,
    peakInstanceRequests: run.peakInstanceRequests,
    durationMs: run.durationMs,
  };
  return { report, violations };
}

/** A record the relay queued, with the subject it is deduplicated by. */
interface AcceptedRecord {
  result: SendResult;
  subject: string;
  identity: string;
}

/**
 * Lists every record a non-duplicate delivery queued. The subject is written out here, not taken
 * from the relay's dedupe keys, so that this check does not share a mistake with the code it checks.
 */
function acceptedRecords(results: SendResult[], config: RelayConfig): AcceptedRecord[] {
  const accepted: AcceptedRecord[] = [];
  for (const result of results) {
    if (result.status !== 202 || result.body.duplicate === true) continue;
    for (const record of normalizedRecords(result.send)) {
      accepted.push({
        result,
        subject: subjectOf(result.send, record, config),
        identity: identityOfRecord(record, config),
      });
    }
  }
  return accepted;
}

function subjectOf(send: PlannedSend, record: RelayRecord, config: RelayConfig): string {
  const source = send.channel === 'partner-events' ? 'generic' : send.channel;
  switch (record.kind) {
    case 'threat_lookup_result':
    case 'observable_enrichment':
      return `${source}|${record.kind}|${record.observable.type}|${record.observable.value}|${record.source}`;
    case 'ci_enrichment':
      return `${source}|${record.kind}|${record.ci}|${record.source}`;
    case 'enrichment_mapping':
      return `${source}|${identityOfRecord(record, config)}`;
  }
}

/**
 * Tells whether the relay may have accepted another record for the same subject after `first`
 * queued this record and before `later` queued it again. Deliveries run concurrently, so any
 * delivery whose time overlaps the span between the two counts.
 */
function newerRecordBetween(
  accepted: AcceptedRecord[],
  first: SendResult,
  later: SendResult,
  record: RelayRecord,
  identity: string,
  config: RelayConfig,
): boolean {
  const subject = subjectOf(later.send, record, config);
  return accepted.some(
    (other) =>
      other.subject === subject &&
      other.identity !== identity &&
      other.result.answeredAt >= first.startedAt &&
      other.result.startedAt <= later.answeredAt,
  );
}

function overlap(a: SendResult, b: SendResult): boolean {
  return a.startedAt <= b.answeredAt && b.startedAt <= a.answeredAt;
}

/** Returns the records ingest makes of a delivery, by the same pure normalization ingest runs. */
function normalizedRecords(send: PlannedSend): RelayRecord[] {
  const sourceId = send.channel === 'partner-events' ? 'generic' : send.channel;
  const payload =
    send.channel === 'partner-events' ? (send.payload as { detail: unknown }).detail : send.payload;
  const adapter = getSource(sourceId)!;
  return adapter.normalize(adapter.payloadSchema.parse(payload), { receivedAt: new Date() });
}

function builtToFail(record: RelayRecord): SecOpsErrorCode | undefined {
  if (record.kind === 'threat_lookup_result' && record.reportUrl === undefined)
    return 'mandatory_fields_missing';
  if (record.kind === 'enrichment_mapping' && record.enrichmentMappingId === 'f'.repeat(32))
    return 'unable_to_persist';
  return undefined;
}

/** Names a record by table, key value and summary, which the workload makes unique. */
function identityOfRecord(record: RelayRecord, config: RelayConfig): string {
  const table = config.records[record.kind].table;
  switch (record.kind) {
    case 'threat_lookup_result':
    case 'observable_enrichment':
      return `${table}|${record.observable.value}|${record.summary ?? ''}`;
    case 'ci_enrichment':
      return `${table}|${record.ci}|${record.summary ?? ''}`;
    case 'enrichment_mapping': {
      const raw = JSON.parse(record.rawData) as { observable?: string; summary?: string };
      return `${table}|${raw.observable ?? ''}|${raw.summary ?? ''}`;
    }
  }
}

function identityOfColumns(
  table: string,
  columns: Record<string, unknown>,
  config: RelayConfig,
): string {
  const records = config.records;
  const key =
    table === records.ci_enrichment.table
      ? records.ci_enrichment.columns.ci
      : records.observable_enrichment.columns.observable;
  const summary =
    table === records.threat_lookup_result.table
      ? records.threat_lookup_result.columns.summary
      : records.observable_enrichment.columns.summary;
  return `${table}|${String(columns[key!] ?? '')}|${String(columns[summary!] ?? '')}`;
}

function identityOfRequest(request: ProxiedRequest, config: RelayConfig): string | undefined {
  const resource = request.path.split('?')[0]!.split('/').at(-1);
  const settings = Object.values(config.records).find(
    (candidate) => candidate.resource === resource && candidate.table !== undefined,
  );
  if (settings === undefined) return undefined;
  const mappingId = request.columns[config.records.enrichment_mapping.columns.enrichmentMappingId!];
  if (mappingId !== undefined) {
    const raw = JSON.parse(
      request.columns[config.records.enrichment_mapping.columns.rawData!] ?? '{}',
    ) as Record<string, unknown>;
    return identityOfColumns(settings.table, raw, config);
  }
  return identityOfColumns(settings.table, request.columns, config);
}

/** Returns why a dead-letter entry's reason is wrong for the record, or undefined when it is right. */
function wrongReason(
  entry: Tracked,
  dead: StoredDeadLetter,
  config: RelayConfig,
): string | undefined {
  if (dead.reason === 'retries_exhausted') {
    const lastCode = /^Last error \(([a-z_]+)\)/.exec(dead.detail)?.[1];
    if (dead.attempts !== config.delivery.maxReceiveCount)
      return `retries_exhausted after ${dead.attempts} receives, not ${config.delivery.maxReceiveCount}`;
    if (
      lastCode === undefined ||
      (lastCode !== 'circuit_open' && SECOPS_ERROR_RETRYABLE[lastCode as SecOpsErrorCode] !== true)
    ) {
      return `retries_exhausted with a last error that is not transient: ${dead.detail}`;
    }
    return undefined;
  }
  if (dead.reason === entry.rejectedWith) return undefined;
  const injected = entry.requests.some((request) => request.fault === 'persist_failure');
  if (dead.reason === 'unable_to_persist' && injected) return undefined;
  return `dead-lettered as ${dead.reason}, which neither the record nor an injected fault explains`;
}

/** Delivery ids of the records the forwarder logged as possible duplicates. */
function possibleDuplicateDeliveries(run: FaultRun): Set<string> {
  return new Set(
    run
      .logLines()
      .filter(
        (line) => line.message === 'Possible duplicate created by a retried POST after a timeout',
      )
      .map((line) => String(line.deliveryId)),
  );
}

function rotationFigures(run: FaultRun): FaultReport['rotation'] {
  const { rotation, proxyLog } = run;
  const unauthorized = proxyLog.filter((request) => request.upstreamStatus === 401);
  return {
    unauthorizedInWindow: unauthorized.filter(
      (request) => request.startedAt < rotation.secretUpdatedAt,
    ).length,
    unauthorizedAfterSecretUpdate: unauthorized.filter(
      (request) => request.startedAt >= rotation.secretUpdatedAt,
    ).length,
    secretReadsInWindow: rotation.secretReadsAtUpdate - rotation.secretReadsBefore,
    secretReadsAfterSecretUpdate: rotation.secretReadsAfter - rotation.secretReadsAtUpdate,
  };
}

function sumMetric(
  run: FaultRun,
  name: Parameters<FaultRun['stack']['metrics']['get']>[0],
): number {
  let total = 0;
  for (const [key, value] of run.stack.metrics.totals)
    if (key.startsWith(`${name}:`)) total += value;
  return total;
}
