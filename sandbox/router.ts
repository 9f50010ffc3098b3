import type { CredentialStore } from './auth/credentials.ts';
import { handleTokenRequest, OAUTH_TOKEN_PATH } from './auth/oauth.ts';
import { CONTROL_PREFIX, handleControlRequest, type ControlContext } from './control-api.ts';
import { replyToFault } from './fault-replies.ts';
import {
  isLoopbackAddress,
  methodNotAllowed,
  notAuthenticated,
  platformError,
  type Exchange,
  type Outcome,
  type Reply,
} from './http.ts';
import { createRecord, type CreateRecordContext } from './secops/create-record.ts';
import { readSecOpsParams, renderOutcome } from './secops/params.ts';
import type { ResourceTarget } from './secops/routes.ts';
import { handleTableRequest, TABLE_API_PREFIX } from './table-api.ts';

export interface RouterContext extends ControlContext, CreateRecordContext {
  basePath: string;
  routes: ReadonlyMap<string, ResourceTarget>;
  credentials: CredentialStore;
  now: () => Date;
  /** Aborted when the sandbox closes, which cuts `slow` delays short. */
  shutdown: AbortSignal;
}

export interface Router {
  /** True for the paths that `Sandbox.requests()` reports: the SecOps API and OAuth. */
  isRecorded(path: string): boolean;
  dispatch(exchange: Exchange, remoteAddress: string | undefined): Promise<Outcome>;
}

function notFound(path: string): Reply {
  return {
    status: 404,
    json: platformError('Requested URI does not represent any resource', `No resource at ${path}`),
  };
}

function authenticate(exchange: Exchange, credentials: CredentialStore) {
  const result = credentials.authenticate(exchange.headers.authorization);
  if (result.ok) {
    exchange.user = result.user.username;
  } else {
    exchange.authFailure = result.reason;
  }
  return result;
}

/**
 * Runs one SecOps API request: the fault in force first, because an instance that is rate
 * limiting, failing or hibernating responds before it authenticates anyone, then the
 * method, authentication and the API itself.
 */
async function handleSecOpsRequest(
  exchange: Exchange,
  route: ResourceTarget,
  context: RouterContext,
): Promise<Outcome> {
  const fault = context.faults.take();
  if (fault !== undefined) {
    exchange.fault = fault.mode;
    const faultOutcome = await replyToFault(fault, context.now, context.shutdown);
    if (faultOutcome !== undefined) return faultOutcome;
  }

  if (exchange.method !== 'POST') return methodNotAllowed(exchange, ['POST']);
  const auth = authenticate(exchange, context.credentials);
  if (!auth.ok) return notAuthenticated();

  const params = readSecOpsParams(exchange.query);
  const outcome = createRecord(
    { route, body: exchange.body, user: auth.user, params, fault: fault?.mode },
    context,
  );
  return renderOutcome(outcome, params);
}

export function createRouter(context: RouterContext): Router {
  const { basePath, routes, credentials } = context;

  return {
    isRecorded: (path) =>
      path === OAUTH_TOKEN_PATH || path === basePath || path.startsWith(`${basePath}/`),

    async dispatch(exchange, remoteAddress) {
      const { path } = exchange;

      if (path.startsWith(CONTROL_PREFIX)) {
        // The server binds loopback only; this check keeps the endpoints local if that changes.
        if (!isLoopbackAddress(remoteAddress)) {
          return {
            status: 403,
            json: platformError('Sandbox endpoints accept loopback clients only'),
          };
        }
        return handleControlRequest(exchange, context);
      }

      if (path === OAUTH_TOKEN_PATH) {
        if (exchange.method !== 'POST') return methodNotAllowed(exchange, ['POST']);
        return handleTokenRequest(exchange, credentials);
      }

      const route = routes.get(path.length > 1 ? path.replace(/\/$/, '') : path);
      if (route !== undefined) return handleSecOpsRequest(exchange, route, context);

      if (path.startsWith(TABLE_API_PREFIX)) {
        if (!authenticate(exchange, credentials).ok) return notAuthenticated();
        return handleTableRequest(exchange, context.store);
      }

      return notFound(path);
    },
  };
}
