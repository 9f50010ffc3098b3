import { parseArgs } from 'node:util';
import { ConfigError } from '../functions/config/load.ts';
import { readLocalConfig } from '../local/config-file.ts';
import { DLQ_USAGE, runDlqCommand } from './dlq.ts';
import { CliError, UsageError } from './errors.ts';
import { PULL_USAGE, runPullCommand } from './pull.ts';
import { send } from './send.ts';

const SEND_USAGE = `  send --source <id> <file>   Post a JSON file to the relay as that source would,
                              authenticated with the source's token or signature.
      --url <url>             Relay base URL (default http://127.0.0.1:3000, or $SECOPS_RELAY_URL)
      --secret <value>        The source's secret (default $SECOPS_RELAY_SECRET, then the
                              configuration's local secrets)
      --config <path>         Configuration file (default relay.config.json, or
                              $SECOPS_RELAY_CONFIG_FILE)`;

const USAGE = `Usage: secops-relay <command> [options]

Commands:
${SEND_USAGE}
${DLQ_USAGE}
${PULL_USAGE}
  help                        Show this text.

<file> may be "-" to read standard input.`;

/** The part of the usage about one command, for `secops-relay <command> --help` and usage errors. */
const COMMAND_USAGE: Readonly<Record<UsageError['command'], string>> = {
  send: `${SEND_USAGE}\n\n<file> may be "-" to read standard input.`,
  dlq: DLQ_USAGE,
  pull: PULL_USAGE,
};

function commandUsage(command: UsageError['command']): string {
  return `Usage: secops-relay ${command} [options]\n\n${COMMAND_USAGE[command]}\n\nsecops-relay help lists every command.\n`;
}

/** Runs the CLI and returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    // `secops-relay send --help` prints the usage of send. Options after "--" are the
    // command's own arguments and are left alone.
    const options = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
    if (command !== undefined && (options.includes('--help') || options.includes('-h'))) {
      process.stdout.write(
        Object.hasOwn(COMMAND_USAGE, command)
          ? commandUsage(command as UsageError['command'])
          : `${USAGE}\n`,
      );
      return 0;
    }
    switch (command) {
      case 'send':
        return await runSend(rest);
      case 'pull':
        return await runPullCommand(rest, process.stdout);
      case 'dlq':
        return await runDlqCommand(rest, process.stdout);
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        return 0;
      case undefined:
        // No command is a usage error, so a script that lost its arguments does not pass.
        throw new CliError(`A command is missing.\n\n${USAGE}`);
      default:
        throw new CliError(`Unknown command "${command}".\n\n${USAGE}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`secops-relay: ${error.message}\n\n${commandUsage(error.command)}`);
      return error.exitCode;
    }
    if (error instanceof CliError || error instanceof ConfigError) {
      process.stderr.write(`secops-relay: ${error.message}\n`);
      return error instanceof CliError ? error.exitCode : 2;
    }
    throw error;
  }
}

async function runSend(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    source: { type: 'string' },
    url: { type: 'string' },
    secret: { type: 'string' },
    config: { type: 'string' },
  });
  if (values.source === undefined) {
    throw new UsageError('send', 'send needs --source <id>, the source to send as.');
  }
  if (positionals.length === 0) {
    throw new UsageError('send', 'send needs a <file> to post, or "-" for standard input.');
  }
  if (positionals.length > 1) {
    throw new UsageError(
      'send',
      `send posts one <file>; got ${positionals.length}: ${positionals.join(' ')}.`,
    );
  }

  const result = await send({
    config: readLocalConfig(values.config).config,
    source: values.source,
    file: positionals[0]!,
    url: values.url ?? process.env.SECOPS_RELAY_URL ?? 'http://127.0.0.1:3000',
    secret: values.secret ?? process.env.SECOPS_RELAY_SECRET,
  });

  process.stdout.write(`HTTP ${result.status}\n${prettyJson(result.body)}\n`);
  return result.status >= 200 && result.status < 300 ? 0 : 1;
}

function parseOptions<Options extends Record<string, { type: 'string' | 'boolean' }>>(
  args: string[],
  options: Options,
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError('send', (error as Error).message);
  }
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
