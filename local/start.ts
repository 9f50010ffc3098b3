import { createLogger } from '../functions/shared/logger.ts';
import { readLocalConfig } from './config-file.ts';
import { ListenError, startLocalStack } from './stack.ts';
import { createStopHandler } from './stop-signals.ts';

/**
 * `npm start`: the relay on 127.0.0.1:$PORT (3000) and the sandbox instance on
 * 127.0.0.1:$SANDBOX_PORT (3001), with no AWS account and no network.
 * SECOPS_RELAY_CONFIG_FILE names another configuration file than relay.config.json;
 * SECOPS_RELAY_SANDBOX=off skips the sandbox when the instance secret names a real instance.
 */
const port = readPort('PORT', 3000);
const sandboxPort = readPort('SANDBOX_PORT', 3001);

try {
  const { config, path: configPath, origin } = readLocalConfig();
  const sandbox = process.env.SECOPS_RELAY_SANDBOX !== 'off';
  const stack = await startLocalStack({
    config,
    ...(origin !== undefined && { configOrigin: origin }),
    port,
    sandboxPort,
    sandbox,
  });

  const sources = Object.entries(config.sources)
    .filter(([, source]) => source.enabled)
    .map(([id]) => id);
  // The CLI assumes port 3000, so the banner names the URL whenever the stack runs elsewhere.
  const cliUrl = stack.relayUrl === 'http://127.0.0.1:3000' ? '' : ` --url ${stack.relayUrl}`;
  process.stdout.write(
    [
      '',
      `SecOps Relay (local) listening on ${stack.relayUrl}`,
      `  webhooks:     POST ${stack.relayUrl}/webhooks/{${sources.join('|')}}`,
      `  events:       POST ${stack.relayUrl}/local/events (one EventBridge event)`,
      `  dead letters: GET  ${stack.relayUrl}/local/dead-letters, or npx secops-relay dlq list${cliUrl}`,
      stack.sandbox === undefined
        ? '  sandbox instance: not started'
        : `Sandbox instance listening on ${stack.sandbox.url}`,
      stack.sandbox === undefined
        ? ''
        : `  records:      GET  ${stack.sandbox.url}/api/now/table/sn_ti_lookup_result (user relay.integration)`,
      `Configuration: ${configPath ?? 'built-in defaults'}. Press Ctrl+C to stop.`,
      '',
    ].join('\n'),
  );

  const stop = createStopHandler(stack, createLogger('secops-relay-local'), (code) =>
    process.exit(code),
  );
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  process.stderr.write(
    error instanceof ListenError
      ? explainListenError(error)
      : `Cannot start the local relay: ${(error as Error).message}\n`,
  );
  process.exit(1);
}

/** Names the port that failed, the server that needs it and the variable that moves it. */
function explainListenError(error: ListenError): string {
  const [server, variable, example] =
    error.server === 'relay'
      ? ['The relay', 'PORT', 3100]
      : ['The sandbox instance', 'SANDBOX_PORT', 3101];
  const problem =
    error.code === 'EADDRINUSE'
      ? 'the port is already in use'
      : error.code === 'EACCES'
        ? 'this user may not listen on the port'
        : (error.cause as Error).message;
  const lines = [
    `${server} cannot listen on 127.0.0.1:${error.port}: ${problem}.`,
    `Stop the program that uses the port, or set ${variable} to a free port, as in ` +
      `${variable}=${example} npm start (${variable}=0 picks one).`,
  ];
  if (error.server === 'relay') {
    lines.push(
      'Then pass --url http://127.0.0.1:<port> to npx secops-relay send and dlq, or set SECOPS_RELAY_URL.',
    );
  }
  return `${lines.join('\n')}\n`;
}

function readPort(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(`${name} must be a port number from 0 to 65535; got "${text}".\n`);
    process.exit(1);
  }
  return port;
}
