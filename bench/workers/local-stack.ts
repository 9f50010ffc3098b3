import { createLogger } from '../../functions/shared/logger.ts';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { loadBenchConfig, recordTables } from '../lib/config.ts';
import { serveOperations } from '../lib/worker.ts';

/**
 * The local stack (`npm start`) on free loopback ports, in a process of its own so the
 * sender is a separate process as `secops-relay send` is. Its JSON logs go to stdout,
 * which the parent discards.
 */
const config = loadBenchConfig();
let stack: LocalStack | undefined;

function started(): LocalStack {
  if (stack === undefined) throw new Error('call start first');
  return stack;
}

serveOperations(
  {
    async start(): Promise<{ relayUrl: string }> {
      stack ??= await startLocalStack({
        config,
        port: 0,
        sandboxPort: 0,
        logger: createLogger('secops-relay-local'),
      });
      return { relayUrl: stack.relayUrl };
    },
    /**
     * Records the forwarder delivered so far, from its metrics (cheap enough to poll while
     * the stack works), and the dead letters, which a sender must not wait for.
     */
    progress(): { delivered: number; deadLetters: number } {
      const { metrics, deadLetters } = started();
      let delivered = 0;
      for (const [key, value] of metrics.totals) {
        if (key.startsWith('RecordsDelivered:')) delivered += value;
      }
      return { delivered, deadLetters: deadLetters.list().length };
    },
    /** Records stored in the sandbox's tables. */
    stored(): number {
      const { sandbox } = started();
      if (sandbox === undefined) throw new Error('the local stack started without its sandbox');
      return recordTables(config).reduce(
        (total, table) => total + sandbox.records(table).length,
        0,
      );
    },
  },
  async () => {
    await stack?.close();
  },
);
