import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDlq, type DlqOptions } from '../../cli/dlq.ts';
import { InProcessDeadLetterQueue, InProcessQueue } from '../../functions/queue/in-process.ts';
import type { DeadLetter } from '../../functions/queue/queue.ts';
import { serveDeadLetters } from '../../local/dead-letter-routes.ts';

function deadLetter(deliveryId: string, fields: Partial<DeadLetter>): DeadLetter {
  return {
    message: {
      version: 1,
      deliveryId,
      recordIndex: 0,
      source: 'generic',
      receivedAt: '2026-03-01T12:00:00.000Z',
      record: { kind: 'ci_enrichment', ci: 'web-01.example.com', source: 'Example EDR' },
    },
    reason: 'retries_exhausted',
    retryable: true,
    detail: 'Last error (server_error): HTTP 503',
    attempts: 3,
    failedAt: '2026-03-01T12:00:05.000Z',
    ...fields,
  };
}

/** Runs one `dlq` command against the relay at `url` and returns what it printed. */
async function dlq(url: string, subcommand: string, positionals: string[] = [], json = false) {
  const options: DlqOptions = {
    subcommand,
    positionals,
    filters: [],
    ids: [],
    all: false,
    json,
    url,
  };
  let printed = '';
  const code = await runDlq(options, { write: (text) => (printed += text) });
  return { code, printed };
}

describe('dlq show possiblyDelivered', () => {
  const deadLetters = new InProcessDeadLetterQueue();
  const queue = new InProcessQueue({ maxReceiveCount: 3, deadLetters });
  let server: Server;
  let relayUrl: string;

  beforeAll(async () => {
    await deadLetters.deadLetter(deadLetter('d-unanswered', { possiblyDelivered: true }));
    await deadLetters.deadLetter(
      deadLetter('d-rejected', {
        reason: 'insufficient_access',
        retryable: false,
        detail: 'Insufficient access',
        attempts: 1,
      }),
    );
    await deadLetters.deadLetter(deadLetter('d-answered', { possiblyDelivered: false }));
    await deadLetters.deadLetter(
      deadLetter('d-moved', {
        reason: 'max_receive_count_exceeded',
        detail: 'The queue handed the message out 3 times without a result.',
      }),
    );
    // A message that never held a record cannot have been posted.
    await deadLetters.deadLetter({
      ...deadLetter('unused', {
        reason: 'max_receive_count_exceeded',
        detail: 'The queue handed the message out 3 times without a result.',
      }),
      message: undefined,
      body: 'not a delivery message',
    });

    // The relay's own dead-letter routes, so the command reads what the local stack serves.
    server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      void serveDeadLetters(request, response, url, { queue, deadLetters }).then((served) => {
        if (!served) response.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    relayUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  const idOf = (deliveryId: string) =>
    deadLetters.list({ deliveryId })[0]?.id ?? `no entry for ${deliveryId}`;

  it.each([
    ['d-unanswered', true],
    ['d-rejected', false],
    ['d-answered', false],
    ['d-moved', true],
  ])('dlq show of %s prints possiblyDelivered %s', async (deliveryId, expected) => {
    const output = await dlq(relayUrl, 'show', [idOf(deliveryId)]);

    expect(output.code).toBe(0);
    const entry = JSON.parse(output.printed) as Record<string, unknown>;
    expect(entry.possiblyDelivered).toBe(expected);
    expect(entry.message).toMatchObject({ deliveryId });
  });

  it('dlq list marks the same entries', async () => {
    const listed = await dlq(relayUrl, 'list');

    const marked = listed.printed
      .split('\n')
      .filter((line) => line.endsWith('possibly-delivered'))
      .map((line) => /\bd-[a-z]+#0/.exec(line)?.[0]);
    expect(marked).toEqual(['d-unanswered#0', 'd-moved#0']);
  });

  it('dlq list counts the entries', async () => {
    const listed = await dlq(relayUrl, 'list');

    expect(listed.printed.trimEnd().split('\n').at(-1)).toBe('5 dead-lettered records');
  });

  it('dlq list --json sets the flag', async () => {
    const listed = await dlq(relayUrl, 'list', [], true);

    const entries = JSON.parse(listed.printed) as {
      possiblyDelivered: unknown;
      message?: { deliveryId: string };
      body?: string;
    }[];
    const flags = Object.fromEntries(
      entries.map((entry) => [entry.message?.deliveryId ?? entry.body, entry.possiblyDelivered]),
    );
    expect(flags).toEqual({
      'd-unanswered': true,
      'd-rejected': false,
      'd-answered': false,
      'd-moved': true,
      'not a delivery message': false,
    });
  });
});
