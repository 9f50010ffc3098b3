import { InvalidFaultError } from './errors.ts';
import type { FaultState } from './faults.ts';
import { methodNotAllowed, platformError, type Exchange, type Reply } from './http.ts';
import type { RecordStore } from './record-store.ts';
import type { RequestLog } from './request-log.ts';

/** Path prefix of the sandbox's own endpoints, which need no credentials. */
export const CONTROL_PREFIX = '/sandbox/';

export interface ControlContext {
  faults: FaultState;
  requestLog: RequestLog;
  store: RecordStore;
}

function currentFault(faults: FaultState): Reply {
  return { status: 200, json: { fault: faults.current() ?? null } };
}

function setFault(exchange: Exchange, faults: FaultState): Reply {
  let input: unknown;
  try {
    input = JSON.parse(exchange.body);
  } catch (error) {
    return {
      status: 400,
      json: platformError(
        'Invalid fault',
        `The body is not valid JSON: ${(error as Error).message}`,
      ),
    };
  }
  try {
    faults.set(input as Parameters<FaultState['set']>[0]);
  } catch (error) {
    if (!(error instanceof InvalidFaultError)) throw error;
    return { status: 400, json: platformError('Invalid fault', error.issues.join('; ')) };
  }
  return currentFault(faults);
}

/**
 * Handles the sandbox's control endpoints: `GET|POST|DELETE /sandbox/faults`,
 * `GET /sandbox/requests` and `DELETE /sandbox/records`.
 */
export function handleControlRequest(exchange: Exchange, context: ControlContext): Reply {
  const { faults, requestLog, store } = context;
  switch (exchange.path) {
    case '/sandbox/faults':
      if (exchange.method === 'GET') return currentFault(faults);
      if (exchange.method === 'POST') return setFault(exchange, faults);
      if (exchange.method === 'DELETE') {
        faults.clear();
        return currentFault(faults);
      }
      return methodNotAllowed(exchange, ['GET', 'POST', 'DELETE']);
    case '/sandbox/requests':
      if (exchange.method !== 'GET') return methodNotAllowed(exchange, ['GET']);
      return { status: 200, json: { requests: requestLog.list() } };
    case '/sandbox/records':
      if (exchange.method !== 'DELETE') return methodNotAllowed(exchange, ['DELETE']);
      return { status: 200, json: { deleted: store.clear() } };
    default:
      return {
        status: 404,
        json: platformError(
          'Requested URI does not represent any resource',
          `${exchange.path} is not a sandbox endpoint; use /sandbox/faults, /sandbox/requests or /sandbox/records`,
        ),
      };
  }
}
