import { afterAll, beforeAll } from 'vitest';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../local/stack.ts';
import { captureLogger } from './capture-logger.ts';

/** `startLocalStack` options for a test stack, which always listens on free ports. */
export interface TestStackOptions extends Omit<LocalStackOptions, 'port' | 'sandboxPort'> {
  /**
   * A sandbox user whose password is set once the sandbox runs, for a configuration whose
   * instance secret contains other credentials than the sandbox's defaults.
   */
  sandboxUser?: { username: string; password: string };
}

/**
 * Starts a local stack on free loopback ports before the tests of the enclosing describe
 * block (or of the file, when called at the top level) and closes it after them. The logger
 * defaults to one that keeps its lines in memory, so the test output stays quiet.
 *
 * Returns a getter because the stack exists only once `beforeAll` has run. A `beforeAll`
 * registered after this call in the same scope can use it.
 *
 * @example
 * const stack = useLocalStack({ config: loadConfigFile('relay.config.json') });
 * it('answers 404 for an unknown source', async () => {
 *   const response = await fetch(`${stack().relayUrl}/webhooks/nope`, { method: 'POST' });
 *   expect(response.status).toBe(404);
 * });
 */
export function useLocalStack(options: TestStackOptions): () => LocalStack {
  const { sandboxUser, ...stackOptions } = options;
  if (sandboxUser !== undefined && options.sandbox === false) {
    throw new Error(
      'useLocalStack: sandboxUser is set but sandbox is false, so no sandbox would take the password. Remove one of the two options.',
    );
  }
  let stack: LocalStack | undefined;

  beforeAll(async () => {
    stack = await startLocalStack({
      ...stackOptions,
      port: 0,
      sandboxPort: 0,
      logger: options.logger ?? captureLogger().logger,
    });
    if (sandboxUser !== undefined) {
      stack.sandbox!.setPassword(sandboxUser.username, sandboxUser.password);
    }
  });

  afterAll(async () => {
    await stack?.close();
    stack = undefined;
  });

  return () => {
    if (stack === undefined) {
      throw new Error(
        'The local stack is not running: read it inside a test or a hook that runs after useLocalStack started it.',
      );
    }
    return stack;
  };
}
