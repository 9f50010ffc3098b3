import { constants } from 'node:os';
import type { Logger } from '@aws-lambda-powertools/logger';
import { formatCount } from '../functions/shared/format-count.ts';
import type { LocalStack } from './stack.ts';

/**
 * Returns the SIGINT and SIGTERM handler of `npm start`. The first signal logs at once what
 * the stop waits for, then closes the stack, which waits for the forward invocations in
 * progress up to their function timeout, and exits 0. A second signal logs the records in
 * memory that are lost and exits at once with 128 plus the signal number, as a shell reports
 * a process that a signal ended.
 */
export function createStopHandler(
  stack: LocalStack,
  logger: Logger,
  exit: (code: number) => void,
): (signal: NodeJS.Signals) => void {
  let stopping = false;

  return (signal) => {
    if (stopping) {
      logger.warn(`${signal} again: stopping at once`, { signal });
      stack.logLostRecords();
      exit(128 + constants.signals[signal]);
      return;
    }
    stopping = true;

    const invocations = stack.forwarder.busy;
    const maxWaitSeconds = Math.ceil(stack.forwarder.maxStopWaitMs() / 1000);
    const again = signal === 'SIGINT' ? 'Press Ctrl+C' : `Send ${signal}`;
    logger.info(
      invocations === 0
        ? `${signal}: stopping the local stack`
        : `${signal}: stopping the local stack once ${formatCount(invocations, 'forward invocation')} in ` +
            `progress finish, in ${maxWaitSeconds} s at most. ${again} again to stop at once ` +
            'and lose the records in memory.',
      { signal, invocations, maxWaitSeconds, queuedRecords: stack.queue.size },
    );
    stack.close().then(
      () => exit(0),
      (error: unknown) => {
        logger.error('Local stack failed to stop cleanly', { error: error as Error });
        exit(1);
      },
    );
  };
}
