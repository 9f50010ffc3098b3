import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Creates the structured JSON logger every module uses. Powertools writes one JSON object
 * per line; callers append `deliveryId`, `source` and `table` as keys and pass errors as
 * objects. Secrets, tokens, signatures and Authorization headers are never passed in.
 */
export function createLogger(serviceName: string): Logger {
  // Powertools reads the level from POWERTOOLS_LOG_LEVEL or LOG_LEVEL (default INFO).
  return new Logger({ serviceName });
}
