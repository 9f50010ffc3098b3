import { expect } from 'vitest';
import type { RelayConfig } from '../../functions/config/schema.ts';
import { InstanceCredentialsProvider } from '../../functions/credentials/instance.ts';
import { LocalSecretStore } from '../../functions/credentials/local.ts';
import type { SecretStore } from '../../functions/credentials/secret-store.ts';
import type { RelayRecord } from '../../functions/records/record.ts';
import { SecOpsClient } from '../../functions/secops/client.ts';
import { SecOpsError } from '../../functions/secops/errors.ts';

export const SECRET_NAME = 'secops-relay/instance';

/** A threat lookup result with only the mandatory fields. */
export const THREAT_LOOKUP = {
  kind: 'threat_lookup_result',
  observable: { type: 'ipv4', value: '198.51.100.7' },
  finding: 'Malicious',
  source: 'VirusTotal',
} as const satisfies RelayRecord;

/** A SecretStore over a mutable map, counting reads, for rotation tests. */
export class CountingSecretStore implements SecretStore {
  reads = 0;
  readonly secrets: Record<string, Record<string, unknown>>;
  readonly #store: LocalSecretStore;

  constructor(secrets: Record<string, Record<string, unknown>>) {
    this.secrets = secrets;
    this.#store = new LocalSecretStore(secrets);
  }

  getJson(name: string): Promise<Record<string, unknown>> {
    this.reads += 1;
    return this.#store.getJson(name);
  }
}

/**
 * A clock whose sleeps return at once and move the clock forward by the time slept, so
 * retry tests do not wait for backoff. Real time still passes during HTTP requests.
 */
export function fastClock() {
  let offset = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => Date.now() + offset,
    sleep: async (ms: number) => {
      waits.push(ms);
      offset += ms;
    },
    advance: (ms: number) => {
      offset += ms;
    },
  };
}

/** Creates a logger that keeps every line, so tests can read what was logged. */
export function recordingLogger() {
  const lines: { level: string; message: string; attributes: Record<string, unknown> }[] = [];
  const record = (level: string) => (message: string, attributes: Record<string, unknown>) => {
    lines.push({ level, message, attributes });
  };
  return { lines, warn: record('warn'), error: record('error') };
}

/**
 * Creates a SecOpsClient for tests: credentials from `store` under SECRET_NAME (cached for
 * 300 s, loopback http allowed), a fast clock, a recording logger and a fixed jitter draw.
 */
export function createTestClient(options: {
  config: RelayConfig;
  store: SecretStore;
  random?: () => number;
}) {
  const clock = fastClock();
  const logger = recordingLogger();
  const credentials = new InstanceCredentialsProvider({
    store: options.store,
    secretName: SECRET_NAME,
    ttlSeconds: 300,
    allowedHosts: [],
    localMode: true,
    now: clock.now,
  });
  const client = new SecOpsClient({
    config: options.config,
    credentials,
    sleep: clock.sleep,
    now: clock.now,
    random: options.random ?? (() => 0.5),
    logger,
  });
  return { client, clock, logger };
}

/** Awaits a promise that must reject with a SecOpsError, and returns that error. */
export async function failureOf(promise: Promise<unknown>): Promise<SecOpsError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SecOpsError);
  return error as SecOpsError;
}
