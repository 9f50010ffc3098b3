import { LocalSecretStore } from '../functions/credentials/local.ts';
import { SecretError } from '../functions/credentials/secret-store.ts';
import { readSourceSecrets } from '../functions/ingest/source-secrets.ts';
import { readFile } from 'node:fs/promises';
import type { RelayConfig } from '../functions/config/schema.ts';
import { authHeaders } from './sign.ts';
import { CliError } from './errors.ts';
import { redactSecrets } from '../functions/shared/redact.ts';

export interface SendOptions {
  config: RelayConfig;
  source: string;
  file: string;
  url: string;
  /** The source's secret; read from the configuration's local secrets when absent. */
  secret?: string;
}

export interface SendResult {
  status: number;
  body: string;
}

/** Posts a file to the relay as the given source would, signed or with its token. */
export async function send(options: SendOptions): Promise<SendResult> {
  const settings = options.config.sources[options.source];
  if (settings === undefined) {
    throw new CliError(
      `Unknown source "${options.source}". Configured sources: ${Object.keys(options.config.sources).join(', ')}.`,
    );
  }
  const secret =
    options.secret ??
    (settings.secretName === undefined
      ? undefined
      : await localSecret(options.config, settings.secretName, options.source));

  let body: Buffer;
  try {
    body = options.file === '-' ? await readStdin() : await readFile(options.file);
  } catch (error) {
    throw new CliError(`Cannot read ${options.file}: ${(error as Error).message}`);
  }

  let target: URL;
  try {
    target = new URL(`/webhooks/${encodeURIComponent(options.source)}`, options.url);
  } catch {
    throw new CliError(
      `Invalid relay URL "${options.url}"; pass a URL with its scheme, such as http://127.0.0.1:3000.`,
    );
  }
  let response: Response;
  try {
    response = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeaders(settings.auth, secret, body) },
      body,
    });
  } catch (error) {
    // fetch's message quotes a header value it cannot send, such as a token with a line break.
    const reason = redactSecrets(
      (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message,
      secret === undefined ? [] : [secret],
    );
    throw new CliError(
      `Cannot reach the relay at ${options.url} (${reason}). Start it with "npm start" or pass --url.`,
    );
  }
  return { status: response.status, body: await response.text() };
}

/**
 * Reads the source's current secret from the configuration's local secrets, with the same
 * rules the relay applies to them (`secret`, or the first of `secrets`).
 */
async function localSecret(
  config: RelayConfig,
  secretName: string,
  source: string,
): Promise<string> {
  try {
    const [current] = await readSourceSecrets(
      new LocalSecretStore(config.local?.secrets ?? {}),
      secretName,
      source,
    );
    return current!;
  } catch (error) {
    if (!(error instanceof SecretError)) throw error;
    throw new CliError(
      `No usable secret for source "${source}": ${error.message.replace(/\.?$/, '.')} Pass --secret, set ` +
        `SECOPS_RELAY_SECRET, or add local.secrets["${secretName}"].secret to the configuration.`,
    );
  }
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
