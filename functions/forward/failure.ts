import { SecretError } from '../credentials/secret-store.ts';
import type { DeadLetter } from '../queue/queue.ts';
import { CircuitOpenError } from '../secops/circuit-breaker.ts';
import { SecOpsError } from '../secops/errors.ts';

/** A delivery error sorted for the forwarder. */
export interface Failure {
  code: string;
  retryable: boolean;
  detail: string;
  /** True for errors of no known kind, which are logged with their stack. */
  unexpected: boolean;
  status?: number;
  attempts?: number;
  lastResponse?: DeadLetter['lastResponse'];
}

/**
 * Sorts a delivery error. Only the instance's own rejections are permanent. An unreadable
 * instance secret is retried, because an operator can fix it while the record waits, and so
 * is an open circuit and an unexpected error, which the queue's receive limit bounds.
 */
export function classifyFailure(error: unknown): Failure {
  if (error instanceof SecOpsError) {
    return {
      code: error.code,
      retryable: error.retryable,
      detail: error.message,
      unexpected: false,
      status: error.status,
      attempts: error.attempts,
      lastResponse: error.lastResponse,
    };
  }
  if (error instanceof CircuitOpenError) {
    const own = error.recordFailure;
    return {
      code: error.code,
      retryable: true,
      detail:
        own === undefined
          ? error.message
          : `${error.message}. The record's own last request failed (${own.code}): ${own.message}`,
      unexpected: false,
      attempts: own?.attempts ?? 0,
      ...(own?.status !== undefined && { status: own.status }),
      ...(own?.lastResponse !== undefined && { lastResponse: own.lastResponse }),
    };
  }
  if (error instanceof SecretError) {
    return { code: error.code, retryable: true, detail: error.message, unexpected: false };
  }
  return {
    code: 'internal_error',
    retryable: true,
    detail: error instanceof Error ? error.message : String(error),
    unexpected: true,
  };
}
