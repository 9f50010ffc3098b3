import { App } from 'aws-cdk-lib';
import { ConfigError } from '../functions/config/load.ts';
import { addRelayStack } from './relay-app.ts';

const app = new App();
try {
  addRelayStack(app);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // The message already names each key to fix; a stack trace would only bury it.
  console.error(error.message);
  process.exit(1);
}
