import { parseArgs } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  deadLetterIds,
  MOVED_BY_QUEUE_REASON,
  parseFilterTerms,
  type DeadLetterFilter,
} from '../functions/queue/dead-letter-entry.ts';
import type { RedriveResult, StoredDeadLetter } from '../functions/queue/in-process.ts';
import { SqsDeadLetters } from '../functions/queue/sqs-dead-letters.ts';
import { formatCount } from '../functions/shared/format-count.ts';
import { SOURCE_IDS } from '../functions/sources/index.ts';
import { LocalDeadLetters } from './dead-letters-local.ts';
import { CliError, UsageError } from './errors.ts';

/** Operations the `dlq` commands need from a dead-letter queue, local or in AWS. */
interface DeadLetterSource {
  list(filter?: DeadLetterFilter): Promise<StoredDeadLetter[]>;
  get(id: string): Promise<StoredDeadLetter | undefined>;
  redrive(select: {
    filter?: DeadLetterFilter;
    ids?: readonly string[];
  }): Promise<RedriveResult & { deliveryQueueUrl?: string }>;
}

export interface DlqOptions {
  subcommand: string | undefined;
  positionals: string[];
  filters: string[];
  ids: string[];
  all: boolean;
  json: boolean;
  url: string;
  queueUrl?: string;
  region?: string;
  toQueueUrl?: string;
  endpointUrl?: string;
}

/** Output streams, so tests can read what a command printed. */
export interface CliOutput {
  write(text: string): void;
}

/**
 * Runs `dlq list | show <id> | redrive` against the local stack (default) or, with
 * `queueUrl`, against the SQS dead-letter queue in AWS, and returns the exit code.
 */
export async function runDlq(options: DlqOptions, stdout: CliOutput): Promise<number> {
  const source = openSource(options);
  const filter = readFilter(options.filters);
  rejectIgnoredOptions(options);

  switch (options.subcommand) {
    case 'list': {
      const entries = await source.list(filter);
      if (options.json) stdout.write(`${JSON.stringify(entries.map(withDeliveryRisk), null, 2)}\n`);
      else stdout.write(formatList(entries));
      return 0;
    }
    case 'show': {
      const id = options.positionals[0];
      if (id === undefined || options.positionals.length !== 1)
        throw new UsageError('dlq', 'dlq show needs exactly one <id>; dlq list prints the ids.');
      const entry = await source.get(id);
      if (entry === undefined)
        throw new CliError(`No dead-letter entry "${id}"; dlq list prints the ids.`, 1);
      stdout.write(`${JSON.stringify(withDeliveryRisk(entry), null, 2)}\n`);
      return 0;
    }
    case 'redrive': {
      if (!options.all && options.filters.length === 0 && options.ids.length === 0) {
        throw new UsageError(
          'dlq',
          'dlq redrive needs --filter key=value, --id <id> or --all, so that nothing is redriven by accident.',
        );
      }
      const result = await source.redrive({
        filter,
        ...(options.ids.length > 0 && { ids: options.ids }),
      });
      // An --id that matched nothing is most likely mistyped, so it must not pass as success.
      const notFound = options.ids.filter(
        (id) => !result.redriven.includes(id) && !result.skipped.includes(id),
      );
      if (options.json) {
        stdout.write(
          `${JSON.stringify({ ...result, ...(notFound.length > 0 && { notFound }) }, null, 2)}\n`,
        );
      } else {
        const target =
          result.deliveryQueueUrl === undefined ? 'the delivery queue' : result.deliveryQueueUrl;
        stdout.write(`Redrove ${formatCount(result.redriven.length, 'record')} to ${target}.\n`);
        if (result.skipped.length > 0) {
          stdout.write(
            `Kept ${formatCount(result.skipped.length, 'entry', 'entries')} without a record: ${result.skipped.join(', ')}\n`,
          );
        }
        for (const id of notFound) {
          stdout.write(
            `No dead-letter entry "${id}" (or it did not match the filter); dlq list prints the ids.\n`,
          );
        }
      }
      return notFound.length > 0 ? 1 : 0;
    }
    default:
      throw new UsageError(
        'dlq',
        options.subcommand === undefined
          ? 'dlq needs a subcommand: list, show <id> or redrive.'
          : `Unknown dlq subcommand "${options.subcommand}"; use list, show <id> or redrive.`,
      );
  }
}

/**
 * Rejects selection options the subcommand would ignore: `dlq list --id x` would otherwise
 * list every entry, and `dlq show <id> --filter …` would show the entry whatever the filter.
 */
function rejectIgnoredOptions(options: DlqOptions): void {
  const selection = [
    ...(options.filters.length > 0 ? ['--filter'] : []),
    ...(options.ids.length > 0 ? ['--id'] : []),
    ...(options.all ? ['--all'] : []),
  ];
  const ignored =
    options.subcommand === 'list'
      ? selection.filter((option) => option !== '--filter')
      : options.subcommand === 'show'
        ? selection
        : [];
  if (ignored.length > 0) {
    throw new UsageError(
      'dlq',
      `dlq ${options.subcommand} does not take ${ignored.join(' or ')}; ` +
        (options.subcommand === 'list'
          ? 'select entries with --filter key=value.'
          : 'it prints the one entry whose <id> it is given.'),
    );
  }
}

function openSource(options: DlqOptions): DeadLetterSource {
  if (options.queueUrl === undefined) {
    if (options.toQueueUrl !== undefined || options.region !== undefined) {
      throw new UsageError(
        'dlq',
        '--region and --to-queue-url apply to a queue in AWS; pass --queue-url too.',
      );
    }
    return new LocalDeadLetters(options.url);
  }
  const client = new SQSClient({
    ...(options.region !== undefined && { region: options.region }),
    ...(options.endpointUrl !== undefined && { endpoint: options.endpointUrl }),
  });
  return new SqsDeadLetters({
    client,
    queueUrl: options.queueUrl,
    ...(options.toQueueUrl !== undefined && { deliveryQueueUrl: options.toQueueUrl }),
  });
}

function readFilter(terms: string[]): DeadLetterFilter {
  try {
    return parseFilterTerms(terms, { sources: SOURCE_IDS });
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

/**
 * Checks whether the instance may hold the entry's record already. The forwarder sets
 * `possiblyDelivered` only when it saw a POST of the record go unanswered. A message the
 * queue moved itself (`max_receive_count_exceeded`) comes from an invocation that crashed or
 * timed out, possibly in the middle of a POST, so it counts as possibly delivered too.
 */
function isPossiblyDelivered(entry: StoredDeadLetter): boolean {
  if (entry.possiblyDelivered === true) return true;
  // A message the queue moved without a record in it was never posted.
  return entry.reason === MOVED_BY_QUEUE_REASON && entry.message !== undefined;
}

/** Returns the entry with `possiblyDelivered` always set, as `show` and `list --json` print it. */
function withDeliveryRisk(
  entry: StoredDeadLetter,
): StoredDeadLetter & { possiblyDelivered: boolean } {
  return { ...entry, possiblyDelivered: isPossiblyDelivered(entry) };
}

/** Names of the columns `dlq list` prints, in the order of `formatList`. */
const LIST_HEADER = 'id  reason  source  delivery#record  kind  attempts  failedAt';

function formatList(entries: StoredDeadLetter[]): string {
  const lines = entries.map((entry) => {
    const ids = deadLetterIds(entry);
    return [
      entry.id,
      entry.reason,
      ids.source ?? '-',
      ids.deliveryId === undefined ? '-' : `${ids.deliveryId}#${ids.recordIndex ?? '?'}`,
      ids.kind ?? '-',
      `attempts=${entry.attempts}`,
      entry.failedAt,
      ...(isPossiblyDelivered(entry) ? ['possibly-delivered'] : []),
    ].join('  ');
  });
  if (lines.length > 0) lines.unshift(LIST_HEADER);
  lines.push(formatCount(entries.length, 'dead-lettered record'));
  return `${lines.join('\n')}\n`;
}

export const DLQ_USAGE = `  dlq list                    List dead-lettered records: id, reason, source, delivery,
                              kind, attempts, time.
  dlq show <id>               Print one entry: the record, reason, attempts, the
                              instance's last answer, and possiblyDelivered (true when
                              the instance may hold the record already).
  dlq redrive                 Send records back to the delivery queue and remove their
                              entries. Needs --filter, --id or --all.
      --filter <key=value>    Only entries whose reason, source, deliveryId, kind or
                              retryable matches; repeat with other keys to combine (list
                              and redrive). An unknown reason, source or kind is an error
                              that lists the valid values.
      --id <id>               Only this entry; repeat for several (redrive)
      --all                   Every entry (redrive)
      --json                  Print JSON (list and redrive)
      --url <url>             Local relay (default http://127.0.0.1:3000, or $SECOPS_RELAY_URL)
      --queue-url <url>       The dead-letter queue in AWS (DeadLetterQueueUrl output)
                              instead of the local relay; credentials from the AWS SDK chain
      --region <region>       Region of that queue (default from the AWS SDK chain)
      --to-queue-url <url>    Delivery queue for redrive (default: the queue whose redrive
                              policy names the dead-letter queue)
      --endpoint-url <url>    SQS endpoint in place of the region's, as the AWS CLI takes it`;

/** Parses the arguments after `dlq` and runs the command; errors become CliErrors. */
export async function runDlqCommand(args: string[], stdout: CliOutput): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        filter: { type: 'string', multiple: true },
        id: { type: 'string', multiple: true },
        all: { type: 'boolean' },
        json: { type: 'boolean' },
        url: { type: 'string' },
        'queue-url': { type: 'string' },
        region: { type: 'string' },
        'to-queue-url': { type: 'string' },
        'endpoint-url': { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError('dlq', (error as Error).message);
  }
  const { values, positionals } = parsed;
  const [subcommand, ...rest] = positionals;
  try {
    return await runDlq(
      {
        subcommand,
        positionals: rest,
        filters: values.filter ?? [],
        ids: values.id ?? [],
        all: values.all ?? false,
        json: values.json ?? false,
        url: values.url ?? process.env.SECOPS_RELAY_URL ?? 'http://127.0.0.1:3000',
        queueUrl: values['queue-url'],
        region: values.region,
        toQueueUrl: values['to-queue-url'],
        endpointUrl: values['endpoint-url'],
      },
      stdout,
    );
  } catch (error) {
    if (error instanceof CliError) throw error;
    // AWS SDK errors carry the service's error name, such as AWS.SimpleQueueService.NonExistentQueue.
    const name = (error as Error).name;
    throw new CliError(
      `The dead-letter queue request failed (${name}): ${(error as Error).message}`,
      1,
    );
  }
}
