import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type * as z from 'zod';
import { authHeaders } from '../../cli/sign.ts';
import { parseConfig } from '../../functions/config/load.ts';
import type {
  RelayConfig,
  RelayConfigInput,
  SourceAuth,
  sourceAuthSchema,
} from '../../functions/config/schema.ts';
import { SOURCES } from '../../functions/sources/index.ts';

/** Ids of every registered source that takes webhooks, so a source added later is covered. */
export const WEBHOOK_SOURCE_IDS = Object.values(SOURCES)
  .filter((source) => source.channel !== 'eventbridge')
  .map((source) => source.id);

/** Ids of every registered source that takes EventBridge events. */
export const EVENT_SOURCE_IDS = Object.values(SOURCES)
  .filter((source) => source.channel === 'eventbridge')
  .map((source) => source.id);

/** The instance password the local stack's configuration uses, so no log line or response may show it. */
export const INSTANCE_PASSWORD = 'hostile-test-instance-password-7f3a';

/** Standard Webhooks secrets are base64 keys; this one decodes to 32 known bytes. */
const STANDARD_WEBHOOKS_SECRET = `whsec_${Buffer.from('hostile-test-standard-webhooks-k').toString('base64')}`;

/** Auth of each webhook source: the configuration's for the three built-in ones, a token for the rest. */
const AUTH_BY_SOURCE: Record<string, z.input<typeof sourceAuthSchema>> = {
  generic: { type: 'hmac', header: 'x-signature', prefix: 'sha256=' },
  'standard-webhooks': { type: 'standard-webhooks' },
  virustotal: { type: 'token' },
};

/** The known secret of a source; tests check that no log line or response contains it. */
export function sourceSecret(sourceId: string): string {
  const auth = AUTH_BY_SOURCE[sourceId];
  if (auth?.type === 'standard-webhooks') return STANDARD_WEBHOOKS_SECRET;
  return `hostile-test-${sourceId}-secret-value`;
}

/**
 * Builds a configuration that enables every registered source with a known secret, and an
 * instance secret for the sandbox. The local stack points the loopback instance URL at
 * the sandbox it starts.
 */
export function securityConfig(overrides: Partial<RelayConfigInput> = {}): RelayConfig {
  const sources: Record<string, unknown> = {};
  const secrets: Record<string, Record<string, unknown>> = {
    'secops-relay/instance': {
      instanceUrl: 'http://127.0.0.1:3001',
      auth: 'basic',
      username: 'relay.integration',
      password: INSTANCE_PASSWORD,
    },
  };
  for (const id of WEBHOOK_SOURCE_IDS) {
    const secretName = `secops-relay/source/${id}`;
    sources[id] = { secretName, auth: AUTH_BY_SOURCE[id] ?? { type: 'token' } };
    // The previous secret of a rotation in progress, which must not leak either.
    secrets[secretName] = { secrets: [sourceSecret(id), `${sourceSecret(id)}-previous`] };
  }
  for (const id of EVENT_SOURCE_IDS) sources[id] = { auth: { type: 'none' } };

  return parseConfig({
    sources,
    local: { secrets },
    ingest: { maxBodyBytes: 64 * 1024, maxJsonDepth: 32 },
    ...overrides,
  });
}

/** Headers that authenticate `body` for a source of `config`, as its vendor would send them. */
export function signedHeaders(
  config: RelayConfig,
  sourceId: string,
  body: Buffer,
  now = new Date(),
): Record<string, string> {
  const auth: SourceAuth | undefined = config.sources[sourceId]?.auth;
  if (auth === undefined) throw new Error(`No source "${sourceId}" in the test configuration.`);
  return {
    'content-type': 'application/json',
    ...authHeaders(auth, sourceSecret(sourceId), body, now),
  };
}

/** Reads the sample payloads in events/<source>/; empty when the source has none. */
export function samplePayloads(sourceId: string): unknown[] {
  const folder = join('events', sourceId);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((file) => file.endsWith('.json'))
    .map((file) => JSON.parse(readFileSync(join(folder, file), 'utf8')) as unknown);
}

/**
 * The ingest codes and statuses that docs/errors.md lists in its ingest table, read from
 * the Markdown, so a response with an undocumented code fails the test that sees it.
 */
export function documentedIngestCodes(): Map<string, number> {
  const text = readFileSync('docs/errors.md', 'utf8');
  const start = text.indexOf('## Ingest');
  const end = text.indexOf('\n## ', start + 1);
  const codes = new Map<string, number>();
  for (const line of text.slice(start, end).split('\n')) {
    const match = /^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})\s*\|/.exec(line);
    if (match !== null) codes.set(match[1]!, Number(match[2]));
  }
  return codes;
}

/** Lists every path (keys and indexes) inside a JSON value, the value itself included as []. */
function jsonPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const paths = [prefix];
  if (Array.isArray(value)) {
    value.forEach((item, index) => paths.push(...jsonPaths(item, [...prefix, index])));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value))
      paths.push(...jsonPaths(item, [...prefix, key]));
  }
  return paths;
}

/** Returns a copy of `value` with the value at `path` replaced, or removed when `replacement` is undefined. */
function replaceAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = [...value];
    if (rest.length === 0 && replacement === undefined) copy.splice(head as number, 1);
    else copy[head as number] = replaceAt(copy[head as number], rest, replacement);
    return copy;
  }
  const copy = { ...(value as Record<string, unknown>) };
  if (rest.length === 0 && replacement === undefined) delete copy[head as string];
  else copy[head as string] = replaceAt(copy[head as string], rest, replacement);
  return copy;
}

/** Values that sit at the edges of what schemas and normalizers expect. */
const edgeValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    'null',
    'NaN',
    '1e400',
    '0.0.0.0',
    '::',
    '999.1.1.1',
    'http://',
    'a'.repeat(70_000),
  ),
  fc.constantFrom(0, -1, 1e308, -0, 2 ** 53, 1.5, 1767225600, 1767225600000),
  fc.constantFrom(null, true, [], {}),
);

/**
 * Sample payloads of a source with a few values replaced by edge values or removed, which
 * reach deeper into a schema and a normalizer than random JSON does.
 */
export function mutatedSamples(sourceId: string): fc.Arbitrary<unknown> {
  const samples = samplePayloads(sourceId);
  if (samples.length === 0) return fc.jsonValue();
  const mutation = fc.tuple(fc.nat(), fc.option(edgeValue, { nil: undefined, freq: 4 }));
  return fc
    .tuple(fc.constantFrom(...samples), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([sample, mutations]) =>
      mutations.reduce<unknown>((current, [pick, replacement]) => {
        const paths = jsonPaths(current);
        return replaceAt(current, paths[pick % paths.length]!, replacement);
      }, sample),
    );
}
