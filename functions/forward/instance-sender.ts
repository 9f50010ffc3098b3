import type { Logger } from '@aws-lambda-powertools/logger';
import type { RelayConfig } from '../config/schema.ts';
import type { InstanceCredentialsProvider } from '../credentials/instance.ts';
import { CircuitBreaker, guardTransport } from '../secops/circuit-breaker.ts';
import { SecOpsClient } from '../secops/client.ts';
import { nodeTransport, type Transport } from '../secops/http.ts';
import { watchUnansweredPosts } from './unanswered-posts.ts';

export interface InstanceSenderOptions {
  config: RelayConfig;
  credentials: InstanceCredentialsProvider;
  logger: Logger;
  /** Transport to the instance: node:http(s) unless a test passes its own. */
  transport?: Transport;
  /** Clock in epoch milliseconds, for the breaker and the client. */
  now?: () => number;
  /** A uniform draw from [0, 1) for the client's backoff jitter; Math.random unless a test fixes it. */
  random?: () => number;
}

/**
 * Builds the SecOps API client the forwarder delivers with, and the circuit breaker that
 * guards the instance. Every request goes through the breaker first, and POSTs that go
 * unanswered are counted for the record being delivered. One breaker per function
 * instance: Lambda runs up to `deployment.forward.maxConcurrency` of them, each with its own.
 */
export function createInstanceSender(options: InstanceSenderOptions): {
  sender: SecOpsClient;
  breaker: CircuitBreaker;
} {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const breaker = new CircuitBreaker({
    ...config.delivery.circuitBreaker,
    now,
    onStateChange: (change) => {
      const attributes = {
        ...change,
        failureThreshold: config.delivery.circuitBreaker.failureThreshold,
      };
      if (change.to === 'open')
        logger.warn('Instance circuit opened; requests stop until a probe', attributes);
      else
        logger.info(
          `Instance circuit ${change.to === 'closed' ? 'closed' : 'half open'}`,
          attributes,
        );
    },
  });
  const basePath = config.instance.api.basePath;
  const watched = watchUnansweredPosts(options.transport ?? nodeTransport, (url) =>
    url.pathname.startsWith(`${basePath}/`),
  );
  const sender = new SecOpsClient({
    config,
    credentials: options.credentials,
    logger,
    transport: guardTransport(watched, breaker, now),
    now,
    random: options.random,
  });
  return { sender, breaker };
}
