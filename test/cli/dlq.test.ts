import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDlq, type DlqOptions } from '../../cli/dlq.ts';
import { CliError } from '../../cli/errors.ts';
import { DEAD_LETTER_REASONS } from '../../functions/queue/dead-letter-entry.ts';
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

/** Serves the relay's own dead-letter routes on loopback, so commands read what the local stack serves. */
async function startDeadLetterRoutes(
  queue: InProcessQueue,
  deadLetters: InProcessDeadLetterQueue,
): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    void serveDeadLetters(request, response, url, { queue, deadLetters }).then((served) => {
      if (!served) response.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
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

    ({ server, url: relayUrl } = await startDeadLetterRoutes(queue, deadLetters));
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

  it('dlq list names its columns', async () => {
    const listed = await dlq(relayUrl, 'list');

    expect(listed.printed.split('\n')[0]).toBe(
      'id  reason  source  delivery#record  kind  attempts  failedAt',
    );
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

describe('dlq list of an unreadable message', () => {
  const deadLetters = new InProcessDeadLetterQueue();
  const queue = new InProcessQueue({ maxReceiveCount: 3, deadLetters });
  let server: Server;
  let relayUrl: string;

  beforeAll(async () => {
    // A record an adapter built wrongly: the message is complete but lookedUpAt is not ISO 8601.
    const body = JSON.stringify({
      version: 1,
      deliveryId: 'd-invalid',
      recordIndex: 2,
      source: 'generic',
      receivedAt: '2026-03-01T12:00:00.000Z',
      record: {
        kind: 'threat_lookup_result',
        observable: { type: 'ipv4', value: '192.0.2.7' },
        finding: 'Malicious',
        source: 'Example Feed',
        lookedUpAt: 'yesterday',
      },
    });
    await deadLetters.deadLetter({
      body,
      reason: 'invalid_message',
      retryable: false,
      detail: 'record.lookedUpAt: Invalid ISO datetime',
      attempts: 1,
      failedAt: '2026-03-01T12:00:05.000Z',
    });
    await deadLetters.deadLetter({
      body: '{"source": 7, "deliveryId": ["x"]}',
      reason: 'invalid_message',
      retryable: false,
      detail: 'not a delivery message',
      attempts: 1,
      failedAt: '2026-03-01T12:00:06.000Z',
    });
    ({ server, url: relayUrl } = await startDeadLetterRoutes(queue, deadLetters));
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  it('shows the ids the body holds', async () => {
    const listed = await dlq(relayUrl, 'list');

    const line = listed.printed.split('\n').find((text) => text.includes('d-invalid'));
    expect(line).toContain('invalid_message  generic  d-invalid#2  threat_lookup_result');
  });

  it('shows dashes for ids of the wrong type', async () => {
    const listed = await dlq(relayUrl, 'list');

    const line = listed.printed.split('\n').find((text) => text.includes('06.000Z'));
    expect(line).toContain('invalid_message  -  -  -');
  });

  it('finds the entry by its source and delivery', () => {
    expect(deadLetters.list({ source: 'generic' })).toHaveLength(1);
    expect(
      deadLetters.list({ deliveryId: 'd-invalid', kind: 'threat_lookup_result' }),
    ).toHaveLength(1);
  });
});

describe('dlq filters', () => {
  const deadLetters = new InProcessDeadLetterQueue();
  const queue = new InProcessQueue({ maxReceiveCount: 3, deadLetters });
  let server: Server;
  let relayUrl: string;

  beforeAll(async () => {
    await deadLetters.deadLetter(deadLetter('d-exhausted', {}));
    ({ server, url: relayUrl } = await startDeadLetterRoutes(queue, deadLetters));
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  /** Runs a command and returns the CliError it failed with. */
  async function failure(options: Partial<DlqOptions>): Promise<CliError> {
    try {
      await runDlq(
        {
          subcommand: 'list',
          positionals: [],
          filters: [],
          ids: [],
          all: false,
          json: false,
          url: relayUrl,
          ...options,
        },
        { write: () => {} },
      );
    } catch (error) {
      expect(error).toBeInstanceOf(CliError);
      return error as CliError;
    }
    throw new Error('expected the command to fail, but it succeeded');
  }

  it('redrive rejects a mistyped reason', async () => {
    const error = await failure({ subcommand: 'redrive', filters: ['reason=retries_exausted'] });

    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('"retries_exausted" is not a dead-letter reason');
    for (const reason of [
      'retries_exhausted',
      'max_receive_count_exceeded',
      'insufficient_access',
    ]) {
      expect(error.message).toContain(reason);
    }
    expect(deadLetters.list()).toHaveLength(1);
  });

  it.each([
    ['kind=lookup', '"lookup" is not a record kind', 'threat_lookup_result'],
    ['source=virustotl', '"virustotl" is not a source id', 'virustotal'],
    ['retryable=yes', 'retryable is true or false', 'retryable'],
  ])('list rejects the filter %s', async (term, problem, listed) => {
    const error = await failure({ filters: [term] });

    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(problem);
    expect(error.message).toContain(listed);
  });

  it('list rejects a key given twice', async () => {
    const error = await failure({
      filters: ['reason=retries_exhausted', 'reason=invalid_message'],
    });
    expect(error.message).toContain('reason is given twice');
  });

  it('list accepts every documented reason', async () => {
    for (const reason of DEAD_LETTER_REASONS) {
      const output = { printed: '' };
      const code = await runDlq(
        {
          subcommand: 'list',
          positionals: [],
          filters: [`reason=${reason}`],
          ids: [],
          all: false,
          json: true,
          url: relayUrl,
        },
        { write: (text) => (output.printed += text) },
      );
      expect(code).toBe(0);
      const listed = JSON.parse(output.printed) as DeadLetter[];
      expect(listed.every((entry) => entry.reason === reason)).toBe(true);
    }
  });

  it.each([
    ['list', { ids: ['x'] }, 'dlq list does not take --id'],
    ['list', { all: true }, 'dlq list does not take --all'],
    [
      'show',
      { positionals: ['x'], filters: ['reason=retries_exhausted'] },
      'dlq show does not take --filter',
    ],
  ])('%s rejects an option it would ignore', async (subcommand, options, problem) => {
    const error = await failure({ subcommand, ...options });
    expect(error.message).toContain(problem);
  });

  it('local route answers 400 for an unknown reason', async () => {
    const response = await fetch(`${relayUrl}/local/dead-letters?reason=retries_exausted`);

    expect(response.status).toBe(400);
    const body = (await response.json()) as { code: string; message: string };
    expect(body.code).toBe('invalid_filter');
    expect(body.message).toContain('retries_exhausted');
  });

  it('reason list matches docs/errors.md', () => {
    const errorsDoc = readFileSync('docs/errors.md', 'utf8');
    const section = errorsDoc.slice(
      errorsDoc.indexOf('## Dead-letter reasons'),
      errorsDoc.indexOf('## Limitations'),
    );
    const table = section.split('\n').filter((line) => line.startsWith('| '));
    const documented = table
      .slice(2)
      .flatMap((line) =>
        [...(line.split('|')[1] ?? '').matchAll(/`([a-z_]+)`/g)].map((match) => match[1]),
      );
    expect([...documented].sort()).toEqual([...DEAD_LETTER_REASONS].sort());
  });
});
