import type { Reply } from '../http.ts';
import type { SandboxRecord } from '../record-store.ts';

/** The three query parameters of the SecOps API, each "true" or "false", default false. */
export interface SecOpsParams {
  ignoreMandatoryFields: boolean;
  includeWrap: boolean;
  simpleResponse: boolean;
}

/** The API's decision on one request, before the query parameters shape the body. */
export type ApiOutcome =
  | { status: 201; table: string; record: SandboxRecord }
  | { status: 400 | 403 | 500; message: string; detail: string };

// A scripted REST API compares the parameter with 'true', so any other value means false.
function flag(query: URLSearchParams, name: string): boolean {
  return query.get(name)?.toLowerCase() === 'true';
}

export function readSecOpsParams(query: URLSearchParams): SecOpsParams {
  return {
    ignoreMandatoryFields: flag(query, 'ignore_mandatory_fields'),
    includeWrap: flag(query, 'include_wrap'),
    simpleResponse: flag(query, 'simple_response'),
  };
}

/**
 * Renders an outcome: `simple_response` keeps only the status, `include_wrap` puts the
 * body under `result`. The HTTP status is the same either way.
 */
export function renderOutcome(outcome: ApiOutcome, params: SecOpsParams): Reply {
  const succeeded = outcome.status === 201;
  let body: unknown;
  if (params.simpleResponse) {
    body = { status: succeeded ? 'success' : 'failure' };
  } else if (outcome.status === 201) {
    body = {
      status: 'success',
      table: outcome.table,
      sys_id: outcome.record.sys_id,
      record: outcome.record,
    };
  } else {
    body = { status: 'failure', error: { message: outcome.message, detail: outcome.detail } };
  }
  return { status: outcome.status, json: params.includeWrap ? { result: body } : body };
}
