import { readLocalConfig } from '../local/config-file.ts';
import { startSandbox } from './server.ts';

/**
 * Runs the sandbox instance alone: `npx tsx sandbox/main.ts`. It reads the same
 * configuration file as `npm start` (SECOPS_RELAY_CONFIG_FILE, default relay.config.json)
 * and listens on 127.0.0.1:$SANDBOX_PORT (default 3001) until SIGINT or SIGTERM.
 */
const portText = process.env.SANDBOX_PORT ?? '3001';

if (!/^\d+$/.test(portText)) {
  process.stderr.write(`SANDBOX_PORT must be a port number, not "${portText}"\n`);
  process.exit(2);
}

try {
  const { config } = readLocalConfig();
  const sandbox = await startSandbox({ port: Number(portText), config });
  const stop = () => void sandbox.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  process.stderr.write(`Sandbox failed to start: ${(error as Error).message}\n`);
  process.exit(1);
}
