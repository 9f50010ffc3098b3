import { describe, expect, it } from 'vitest';
import { InProcessDeadLetterQueue, InProcessQueue } from '../../functions/queue/in-process.ts';
import type { DeliveryMessage } from '../../functions/queue/message.ts';

function message(recordIndex: number): DeliveryMessage {
  return {
    version: 1,
    deliveryId: 'delivery-1',
    recordIndex,
    source: 'generic',
    receivedAt: '2026-03-01T12:00:00.000Z',
    record: { kind: 'enrichment_mapping', enrichmentMappingId: 'a'.repeat(32), rawData: '{}' },
  };
}

function queueAt(clock: { now: number }, maxReceiveCount = 3) {
  const deadLetters = new InProcessDeadLetterQueue();
  const queue = new InProcessQueue({
    maxReceiveCount,
    deadLetters,
    visibilityTimeoutMs: 1_000,
    now: () => clock.now,
  });
  return { queue, deadLetters };
}

describe('InProcessQueue', () => {
  it('hides a received message until its visibility timeout ends', async () => {
    const clock = { now: 0 };
    const { queue } = queueAt(clock);
    await queue.enqueue([message(0)]);

    const [first] = await queue.receive(10);
    expect(first?.receiveCount).toBe(1);
    expect(await queue.receive(10)).toHaveLength(0);

    clock.now = 1_000;
    const [again] = await queue.receive(10);
    expect(again?.messageId).toBe(first?.messageId);
    expect(again?.receiveCount).toBe(2);
  });

  it('hands out at most the requested number of messages', async () => {
    const { queue } = queueAt({ now: 0 });
    await queue.enqueue([message(0), message(1), message(2)]);
    expect(await queue.receive(2)).toHaveLength(2);
    expect(await queue.receive(2)).toHaveLength(1);
  });

  it('forgets a deleted message', async () => {
    const clock = { now: 0 };
    const { queue } = queueAt(clock);
    await queue.enqueue([message(0)]);
    const [held] = await queue.receive(1);
    queue.delete(held!.messageId);
    clock.now = 5_000;
    expect(await queue.receive(1)).toHaveLength(0);
    expect(queue.size).toBe(0);
  });

  it('hands a released message out again after the delay', async () => {
    const clock = { now: 0 };
    const { queue } = queueAt(clock);
    await queue.enqueue([message(0)]);
    const [held] = await queue.receive(1);
    queue.release(held!.messageId, 200);
    expect(queue.nextVisibleAt()).toBe(200);
    clock.now = 200;
    expect(await queue.receive(1)).toHaveLength(1);
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives', async () => {
    const clock = { now: 0 };
    const { queue, deadLetters } = queueAt(clock, 2);
    await queue.enqueue([message(4)]);
    for (let receive = 0; receive < 2; receive++) {
      expect(await queue.receive(1)).toHaveLength(1);
      clock.now += 1_000;
    }

    expect(await queue.receive(1)).toHaveLength(0);
    expect(deadLetters.list()).toHaveLength(1);
    expect(deadLetters.list()[0]).toMatchObject({
      reason: 'max_receive_count_exceeded',
      attempts: 2,
      message: { deliveryId: 'delivery-1', recordIndex: 4 },
    });
    expect(queue.size).toBe(0);
  });

  it('counts one receive in dead letter', async () => {
    const clock = { now: 0 };
    const { queue, deadLetters } = queueAt(clock, 1);
    await queue.enqueue([message(0)]);
    await queue.receive(1);
    clock.now += 1_000;

    await queue.receive(1);

    expect(deadLetters.list()[0]?.detail).toBe(
      'The queue handed the message out 1 time without a result.',
    );
  });

  it('emits message when records arrive', async () => {
    const { queue } = queueAt({ now: 0 });
    let emitted = 0;
    queue.on('message', () => emitted++);
    await queue.enqueue([]);
    await queue.enqueue([message(0), message(1)]);
    expect(emitted).toBe(1);
  });
});

describe('InProcessDeadLetterQueue', () => {
  async function deadLettered() {
    const clock = { now: 0 };
    const { queue, deadLetters } = queueAt(clock);
    const failedAt = '2026-03-01T12:00:00.000Z';
    await deadLetters.deadLetter({
      message: message(0),
      reason: 'retries_exhausted',
      retryable: true,
      detail: 'Last error (server_error)',
      attempts: 3,
      failedAt,
    });
    await deadLetters.deadLetter({
      message: message(1),
      reason: 'insufficient_access',
      retryable: false,
      detail: 'Insufficient access',
      attempts: 1,
      failedAt,
    });
    await deadLetters.deadLetter({
      body: 'not a message',
      reason: 'invalid_message',
      retryable: false,
      detail: 'unreadable',
      attempts: 1,
      failedAt,
    });
    return { queue, deadLetters };
  }

  it('lists entries matching a filter', async () => {
    const { deadLetters } = await deadLettered();
    expect(deadLetters.list()).toHaveLength(3);
    expect(deadLetters.list({ retryable: false }).map((entry) => entry.reason)).toEqual([
      'insufficient_access',
      'invalid_message',
    ]);
    expect(deadLetters.list({ reason: 'retries_exhausted', source: 'generic' })).toHaveLength(1);
  });

  it('redrives matching records to the queue', async () => {
    const { queue, deadLetters } = await deadLettered();
    const result = await deadLetters.redrive(queue, { filter: { reason: 'retries_exhausted' } });

    expect(result.redriven).toHaveLength(1);
    expect(result.skipped).toEqual([]);
    const [redriven] = await queue.receive(10);
    expect(JSON.parse(redriven!.body)).toMatchObject({ recordIndex: 0 });
    expect(redriven?.receiveCount).toBe(1);
    expect(deadLetters.list().map((entry) => entry.reason)).toEqual([
      'insufficient_access',
      'invalid_message',
    ]);
  });

  it('keeps an entry without a record', async () => {
    const { queue, deadLetters } = await deadLettered();
    const unreadable = deadLetters.list({ reason: 'invalid_message' })[0]!;
    const result = await deadLetters.redrive(queue, { ids: [unreadable.id] });

    expect(result).toEqual({ redriven: [], skipped: [unreadable.id] });
    expect(queue.size).toBe(0);
    expect(deadLetters.get(unreadable.id)).toBeDefined();
  });
});
