import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/load.ts';
import {
  forwardBatch,
  type ForwardDependencies,
  type ReceivedMessage,
  type RecordSender,
} from '../../functions/forward/forward.ts';
import type { DeliveryMessage } from '../../functions/queue/message.ts';
import type { DeadLetter, DeadLetterQueue } from '../../functions/queue/queue.ts';
import type { RelayRecord } from '../../functions/records/record.ts';
import { SecretError } from '../../functions/credentials/secret-store.ts';
import { SecOpsError, type SecOpsErrorCode } from '../../functions/secops/errors.ts';
import { InMemoryMetrics } from '../../functions/shared/metrics.ts';
import { captureLogger } from '../helpers/capture-logger.ts';

const config = parseConfig({ delivery: { maxReceiveCount: 3 } });

function received(
  recordIndex: number,
  receiveCount = 1,
  value = `198.51.100.${recordIndex}`,
): ReceivedMessage {
  const message: DeliveryMessage = {
    version: 1,
    deliveryId: 'delivery-9',
    recordIndex,
    source: 'virustotal',
    receivedAt: '2026-03-01T12:00:00.000Z',
    record: {
      kind: 'threat_lookup_result',
      observable: { type: 'ipv4', value },
      finding: 'Malicious',
      source: 'VirusTotal',
    },
  };
  return { messageId: `m-${recordIndex}`, body: JSON.stringify(message), receiveCount };
}

/** Answers each observable with the outcome the test assigned to it; successes by default. */
class ScriptedSender implements RecordSender {
  readonly outcomes = new Map<string, SecOpsErrorCode | Error>();
  readonly sent: RelayRecord[] = [];
  async create(record: RelayRecord) {
    this.sent.push(record);
    const value = record.kind === 'threat_lookup_result' ? record.observable.value : '';
    const outcome = this.outcomes.get(value);
    if (outcome instanceof Error) throw outcome;
    if (outcome !== undefined) {
      throw new SecOpsError(outcome, `scripted ${outcome}`, {
        status: outcome === 'rate_limited' ? 429 : 400,
        attempts: 2,
        lastResponse: { status: 400, body: '{"status":"failure"}' },
      });
    }
    return { table: 'sn_ti_lookup_result', sysId: 'a'.repeat(32), attempts: 1, status: 201 };
  }
}

class RecordingDeadLetters implements DeadLetterQueue {
  readonly entries: DeadLetter[] = [];
  failing = false;
  async deadLetter(entry: DeadLetter) {
    if (this.failing) throw new Error('dead-letter queue is down');
    this.entries.push(entry);
  }
}

let sender: ScriptedSender;
let deadLetters: RecordingDeadLetters;
let metrics: InMemoryMetrics;
let logs: ReturnType<typeof captureLogger>;
let deps: ForwardDependencies;
const deadline = Date.now() + 60_000;

beforeEach(() => {
  sender = new ScriptedSender();
  deadLetters = new RecordingDeadLetters();
  metrics = new InMemoryMetrics();
  logs = captureLogger();
  deps = {
    config,
    sender,
    deadLetters,
    logger: logs.logger,
    metrics,
    now: () => new Date('2026-03-01T12:01:00Z'),
  };
});

describe('forwardBatch', () => {
  it('delivers every record and reports no failures', async () => {
    const result = await forwardBatch([received(0), received(1), received(2)], deadline, deps);
    expect(result.batchItemFailures).toEqual([]);
    expect(sender.sent).toHaveLength(3);
    expect(metrics.get('RecordsDelivered', 'virustotal')).toBe(3);
  });

  it('returns transient failures for redelivery', async () => {
    sender.outcomes.set('198.51.100.1', 'rate_limited');
    const result = await forwardBatch([received(0), received(1), received(2)], deadline, deps);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(deadLetters.entries).toHaveLength(0);
    expect(metrics.get('RecordsRetried', 'virustotal')).toBe(1);
  });

  it.each<SecOpsErrorCode>([
    'insufficient_access',
    'mandatory_fields_missing',
    'invalid_post_body',
    'unable_to_persist',
  ])('dead-letters a %s rejection at once with the reason', async (code) => {
    sender.outcomes.set('198.51.100.0', code);
    const result = await forwardBatch([received(0)], deadline, deps);

    expect(result.batchItemFailures).toEqual([]);
    expect(deadLetters.entries).toHaveLength(1);
    expect(deadLetters.entries[0]).toMatchObject({
      reason: code,
      retryable: false,
      attempts: 2,
      lastResponse: { status: 400 },
      message: { deliveryId: 'delivery-9', recordIndex: 0 },
      failedAt: '2026-03-01T12:01:00.000Z',
    });
    expect(metrics.get('RecordsDeadLettered', 'virustotal')).toBe(1);
  });

  it('dead-letters a transient failure once the receives are spent', async () => {
    sender.outcomes.set('198.51.100.0', 'server_error');
    const result = await forwardBatch([received(0, 3)], deadline, deps);
    expect(result.batchItemFailures).toEqual([]);
    expect(deadLetters.entries[0]).toMatchObject({
      reason: 'retries_exhausted',
      retryable: true,
      attempts: 3,
    });
    expect(deadLetters.entries[0]?.detail).toContain('server_error');
  });

  it('delivers a dead-letter entry moved back by redrive', async () => {
    const original = received(5);
    const entry = {
      message: JSON.parse(original.body),
      reason: 'server_error',
      retryable: true,
      detail: '',
      attempts: 5,
      failedAt: '2026-03-01T12:00:00.000Z',
    };
    const result = await forwardBatch(
      [{ messageId: 'redriven', body: JSON.stringify(entry), receiveCount: 1 }],
      deadline,
      deps,
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(sender.sent).toHaveLength(1);
    expect(sender.sent[0]).toMatchObject({ observable: { value: '198.51.100.5' } });
  });

  it('dead-letters a message it cannot read, keeping its body', async () => {
    const result = await forwardBatch(
      [{ messageId: 'junk', body: '{"hello":', receiveCount: 1 }],
      deadline,
      deps,
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(deadLetters.entries[0]).toMatchObject({ reason: 'invalid_message', body: '{"hello":' });
  });

  it('keeps a rejected record on the queue when the dead-letter queue fails', async () => {
    sender.outcomes.set('198.51.100.0', 'mandatory_fields_missing');
    deadLetters.failing = true;
    const result = await forwardBatch([received(0)], deadline, deps);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }]);
    expect(logs.text()).toContain('dead-letter queue is down');
  });

  it('retries a record whose delivery threw an unexpected error', async () => {
    sender.outcomes.set('198.51.100.0', new TypeError('bug'));
    const result = await forwardBatch([received(0)], deadline, deps);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }]);
  });

  it('retries a record while the instance secret cannot be read', async () => {
    sender.outcomes.set(
      '198.51.100.0',
      new SecretError(
        'secret_not_found',
        'secops-relay/instance',
        'Secret "secops-relay/instance" was not found.',
      ),
    );
    const result = await forwardBatch([received(0)], deadline, deps);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }]);

    const last = await forwardBatch([received(0, 3)], deadline, deps);
    expect(last.batchItemFailures).toEqual([]);
    expect(deadLetters.entries[0]).toMatchObject({ reason: 'retries_exhausted' });
    expect(deadLetters.entries[0]?.detail).toContain('secret_not_found');
  });

  it('dead-letters an unexpected error once the receives are spent', async () => {
    sender.outcomes.set('198.51.100.0', new TypeError('bug'));
    const result = await forwardBatch([received(0, 3)], deadline, deps);
    expect(result.batchItemFailures).toEqual([]);
    expect(deadLetters.entries[0]).toMatchObject({
      reason: 'retries_exhausted',
      detail: 'Last error (internal_error): bug',
    });
  });

  it('logs a failure with the delivery id, source and table', async () => {
    sender.outcomes.set('198.51.100.1', 'mandatory_fields_missing');
    await forwardBatch([received(0), received(1)], deadline, deps);
    const failures = logs.lines().filter((line) => line.deliveryId === 'delivery-9');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      recordIndex: 1,
      source: 'virustotal',
      table: 'sn_ti_lookup_result',
    });
  });

  it('logs the deliveries of a batch on one line', async () => {
    await forwardBatch([received(0), received(1)], deadline, deps);
    const lines = logs.lines().filter((line) => line.message === 'Records delivered');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.count).toBe(2);
    const records = lines[0]?.records as Record<string, unknown>[];
    expect(records.map((record) => record.recordIndex).sort()).toEqual([0, 1]);
    for (const record of records) {
      expect(record).toMatchObject({
        deliveryId: 'delivery-9',
        source: 'virustotal',
        table: 'sn_ti_lookup_result',
        attempts: 1,
      });
    }
  });
});
