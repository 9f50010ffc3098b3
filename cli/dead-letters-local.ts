import type { DeadLetterFilter } from '../functions/queue/dead-letter-entry.ts';
import type { RedriveResult, StoredDeadLetter } from '../functions/queue/in-process.ts';
import { CliError } from './errors.ts';

/** The local stack's dead-letter queue, through the relay's `/local/dead-letters` endpoints. */
export class LocalDeadLetters {
  constructor(private readonly relayUrl: string) {}

  async list(filter: DeadLetterFilter = {}): Promise<StoredDeadLetter[]> {
    const query = new URLSearchParams(
      Object.entries(filter).map(([key, value]): [string, string] => [key, String(value)]),
    ).toString();
    const body = await this.#request(
      'GET',
      `/local/dead-letters${query === '' ? '' : `?${query}`}`,
    );
    return (body as { deadLetters: StoredDeadLetter[] }).deadLetters;
  }

  async get(id: string): Promise<StoredDeadLetter | undefined> {
    const body = await this.#request(
      'GET',
      `/local/dead-letters/${encodeURIComponent(id)}`,
      undefined,
      [404],
    );
    return body === undefined ? undefined : (body as StoredDeadLetter);
  }

  async redrive(select: {
    filter?: DeadLetterFilter;
    ids?: readonly string[];
  }): Promise<RedriveResult> {
    return (await this.#request('POST', '/local/dead-letters/redrive', select)) as RedriveResult;
  }

  async #request(
    method: string,
    path: string,
    body?: unknown,
    absentStatuses: number[] = [],
  ): Promise<unknown> {
    const target = new URL(path, this.relayUrl);
    let response: Response;
    try {
      response = await fetch(target, {
        method,
        ...(body !== undefined && {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      });
    } catch (error) {
      const reason =
        (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
      throw new CliError(
        `Cannot reach the relay at ${this.relayUrl} (${reason}). Start it with "npm start", ` +
          'pass --url, or pass --queue-url for the dead-letter queue in AWS.',
      );
    }
    if (absentStatuses.includes(response.status)) return undefined;
    const text = await response.text();
    if (!response.ok) {
      throw new CliError(
        `The relay returned HTTP ${response.status} to ${method} ${path}: ${text}`,
        1,
      );
    }
    return JSON.parse(text) as unknown;
  }
}
