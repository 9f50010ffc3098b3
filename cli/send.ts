import { readFile } from 'node:fs/promises';
import type { RelayConfig } from '../functions/config/schema.ts';
import { authHeaders } from './sign.ts';
import { CliError } from './errors.ts';

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
      : localSecret(options.config, settings.secretName, options.source));

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
    const reason = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new CliError(
      `Cannot reach the relay at ${options.url} (${reason}). Start it with "npm start" or pass --url.`,
    );
  }
  return { status: response.status, body: await response.text() };
}

function localSecret(config: RelayConfig, secretName: string, source: string): string {
  const value = config.local?.secrets[secretName];
  const secret = value?.secret ?? (Array.isArray(value?.secrets) ? value.secrets[0] : undefined);
  if (typeof secret !== 'string' || secret === '') {
    throw new CliError(
      `No secret for source "${source}": pass --secret, set SECOPS_RELAY_SECRET, or add ` +
        `local.secrets["${secretName}"].secret to the configuration.`,
    );
  }
  return secret;
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
