import type { RecordKind } from '../records/record.ts';
import { isJsonObject } from '../shared/json.ts';
import { MAX_SUCCESS_BODY_BYTES } from './body-limits.ts';
import { messageInCutBody } from './cut-body.ts';
import {
  quoteInstanceMessage,
  redactCutSecrets,
  redactSecrets,
  SecOpsError,
  truncateBody,
  type SecOpsErrorCode,
} from './errors.ts';
import type { InstanceResponse } from './http.ts';
import { parseRetryAfter } from './retry.ts';

/** The record kind, table and path of a request, so that error messages can name the setting to fix. */
export interface RequestContext {
  kind: RecordKind;
  table: string;
  /** URL path the request went to, without the query. */
  path: string;
  /** True when the request asked for simple_response, whose success body has no sys_id. */
  simpleResponse: boolean;
}

/**
 * The instance's decision on a create request. A success without `sysId` carries
 * `sysIdProblem` when the sys_id was expected: a sentence on why it is unknown.
 */
export type CreateOutcome =
  { ok: true; sysId?: string; sysIdProblem?: string } | { ok: false; error: SecOpsError };

type DocumentedCode = Extract<
  SecOpsErrorCode,
  | 'insufficient_access'
  | 'invalid_post_body'
  | 'no_fields_supplied'
  | 'mandatory_fields_missing'
  | 'unable_to_persist'
  | 'unknown_error'
>;

/** The error messages ServiceNow documents for the SecOps Integration Capabilities API. */
const DOCUMENTED_MESSAGES: ReadonlyArray<readonly [RegExp, DocumentedCode]> = [
  [/^insufficient access\b/i, 'insufficient_access'],
  [/^invalid post body\b/i, 'invalid_post_body'],
  [/^no fields supplied\b/i, 'no_fields_supplied'],
  [/^mandatory fields missing\b/i, 'mandatory_fields_missing'],
  [/^unable to persist record\b/i, 'unable_to_persist'],
  [/^unknown error\b/i, 'unknown_error'],
];

/**
 * Maps one of the API's documented error messages to its code; for "Mandatory fields
 * missing: x,y,z" also returns the column names. Returns undefined for any other text.
 */
export function matchDocumentedMessage(
  message: string,
): { code: DocumentedCode; mandatoryFields?: string[] } | undefined {
  const text = message.trim();
  const match = DOCUMENTED_MESSAGES.find(([pattern]) => pattern.test(text));
  if (match === undefined) return undefined;

  const code = match[1];
  if (code !== 'mandatory_fields_missing') return { code };
  const list = text.replace(/^mandatory fields missing\s*:?/i, '');
  const mandatoryFields = list
    .split(',')
    .map((field) => field.trim())
    .filter((field) => field !== '');
  return { code, mandatoryFields };
}

/**
 * Interprets the instance's response to a create request. The documented messages are
 * found in the body with or without the `{"result": ...}` wrapper of include_wrap. With
 * simple_response the body contains only `{"status": "failure"}`, so the HTTP status
 * decides: 403 is insufficient_access, 400 is invalid_post_body, 500 is unknown_error.
 *
 * A 2xx means the instance stored the record, so a retry would store it twice. Only two
 * kinds of 2xx are errors. A failure body (`"status": "failure"` or an `error` key) maps to
 * its documented error, or to `unexpected_response` when the API documents none of its
 * messages. A body that is not JSON under a content type other than JSON, such as a
 * hibernating instance's HTML page, is `not_json`. Any other 2xx is a success, and
 * `sysIdProblem` says why the sys_id is unknown when it was expected: an empty body, a body
 * that is no JSON object, a missing sys_id, or a body cut at its limit. An error body cut at
 * its limit is read for its first message.
 */
export function interpretCreateResponse(
  response: InstanceResponse,
  context: RequestContext,
  now: number,
): CreateOutcome {
  const is2xx = response.status >= 200 && response.status < 300;
  if (is2xx && response.truncated === true) return interpretCut2xx(response, context);

  const json = parseJson(response.body);
  const body = isJsonObject(json) ? json : undefined;
  const inner =
    (body !== undefined && isJsonObject(body.result) ? body.result : body) ??
    innerOfCutBody(response);
  const failed = !is2xx || (inner !== undefined && indicatesFailure(inner));

  if (failed && inner !== undefined) {
    const messages = instanceMessages(inner);
    for (const message of messages) {
      const documented = matchDocumentedMessage(message);
      if (documented !== undefined) {
        return { ok: false, error: documentedError(documented, message, response, context) };
      }
    }
  }

  if (!is2xx) return { ok: false, error: statusError(response, context, inner, now) };
  if (failed) {
    return {
      ok: false,
      error: new SecOpsError(
        'unexpected_response',
        `the instance responded to ${context.path} with HTTP ${response.status} and a failure ` +
          'body without a documented message; check that the path is the SecOps Integration Capabilities API',
        { status: response.status, lastResponse: summarize(response) },
      ),
    };
  }
  if (json === NOT_JSON && hasOtherTypeThanJson(response)) {
    return { ok: false, error: notJsonError(response, context.path) };
  }
  const sysId = inner === undefined ? undefined : findSysId(inner);
  if (sysId !== undefined || context.simpleResponse) return { ok: true, sysId };
  return { ok: true, sysIdProblem: describeUnknownSysId(response.body, json, inner) };
}

function interpretCut2xx(response: InstanceResponse, context: RequestContext): CreateOutcome {
  if (hasOtherTypeThanJson(response)) {
    return { ok: false, error: notJsonError(response, context.path) };
  }
  return {
    ok: true,
    sysIdProblem: `the response body is larger than ${MAX_SUCCESS_BODY_BYTES} bytes, so it was not read`,
  };
}

/** Stands in for the parsed body of an error response cut at its limit, with its first message. */
function innerOfCutBody(response: InstanceResponse): Record<string, unknown> | undefined {
  if (response.truncated !== true) return undefined;
  const message = messageInCutBody(response.body);
  return message === undefined ? undefined : { message };
}

/** Maximum keys of a response without sys_id named in the warning. */
const MAX_NAMED_KEYS = 10;

/** Returns why a 2xx without a readable sys_id has none, naming what the body contains. */
function describeUnknownSysId(
  text: string,
  json: unknown,
  inner: Record<string, unknown> | undefined,
): string {
  if (text.trim() === '') return 'the response body is empty';
  if (json === NOT_JSON) return 'the response body is not JSON';
  if (inner === undefined) {
    return `the response body is ${describeJsonType(json)}, not an object with a sys_id`;
  }
  const misplaced = [inner.sys_id, isJsonObject(inner.record) ? inner.record.sys_id : undefined];
  const wrongType = misplaced.find((value) => value !== undefined);
  if (wrongType !== undefined) {
    return `the response's sys_id is ${describeJsonType(wrongType)}, not a string`;
  }
  const keys = Object.keys(inner);
  const named = keys.slice(0, MAX_NAMED_KEYS).map((key) => JSON.stringify(key.slice(0, 40)));
  const more = keys.length > MAX_NAMED_KEYS ? `, and ${keys.length - MAX_NAMED_KEYS} more` : '';
  const found = keys.length === 0 ? 'an empty object' : `the keys ${named.join(', ')}${more}`;
  return `the response has no sys_id at the top level or under "record" (it contains ${found})`;
}

function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/**
 * Maps a response that is no success by its HTTP status alone: the part of the mapping
 * that the create and the OAuth token requests share. 401 is `unauthorized`; the caller
 * decides whether to refresh the credentials and try again.
 */
export function transportStatusError(
  response: InstanceResponse,
  path: string,
  now: number,
): SecOpsError {
  const details = { status: response.status, lastResponse: summarize(response) };
  const { status } = response;

  if (status === 401) {
    return new SecOpsError(
      'unauthorized',
      `the instance rejected the credentials at ${path} with HTTP 401`,
      details,
    );
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now);
    const wait =
      retryAfterMs === undefined ? 'without Retry-After' : `asking to wait ${retryAfterMs} ms`;
    return new SecOpsError(
      'rate_limited',
      `the instance rate-limited ${path} with HTTP 429, ${wait}; the instance's REST API rate limit rules apply to the integration user`,
      { ...details, retryAfterMs },
    );
  }
  if (status === 408) {
    return new SecOpsError(
      'timeout',
      `the instance responded to ${path} with HTTP 408 Request Timeout`,
      details,
    );
  }
  if (status >= 500) {
    return new SecOpsError(
      'server_error',
      `the instance responded to ${path} with HTTP ${status}, as it does during upgrades and restarts`,
      details,
    );
  }
  if (status >= 300 && status < 400) {
    const location = response.headers.get('location') ?? '(no Location header)';
    return new SecOpsError(
      'unexpected_response',
      `the instance redirected ${path} with HTTP ${status} to ${location}; a hibernating or ` +
        'renamed instance does this, so wake it or correct instanceUrl in the instance secret',
      details,
    );
  }
  return new SecOpsError(
    'unexpected_response',
    `the instance responded to ${path} with HTTP ${status}, which the relay does not expect there`,
    details,
  );
}

/** A 2xx response that is not JSON, as the HTML page a hibernating developer instance serves. */
export function notJsonError(response: InstanceResponse, path: string): SecOpsError {
  const type = response.headers.get('content-type') ?? 'no content type';
  return new SecOpsError(
    'not_json',
    `the instance responded to ${path} with HTTP ${response.status} and ${type} instead of JSON; a ` +
      'hibernating developer instance does this, so wake it from the developer portal',
    { status: response.status, lastResponse: summarize(response) },
  );
}

/** True when the response's Content-Type names a media type other than JSON, such as text/html. */
export function hasOtherTypeThanJson(response: InstanceResponse): boolean {
  const type = response.headers.get('content-type');
  return type !== null && !/\bjson\b/i.test(type);
}

/**
 * Returns the response with the secrets redacted from its body and from every header value
 * an error may quote, such as Location or Content-Type. A body cut at its size limit also
 * loses a secret it ends in the middle of.
 */
export function withoutSecrets(
  response: InstanceResponse,
  secrets: readonly string[],
): InstanceResponse {
  const body = redactSecrets(response.body, secrets);
  const headers = response.headers;
  return {
    ...response,
    body: response.truncated === true ? redactCutSecrets(body, secrets) : body,
    headers: {
      get(name) {
        const value = headers.get(name);
        return value === null ? null : redactSecrets(value, secrets);
      },
    },
  };
}

/** Status and truncated body of a response, to keep on an error. */
export function summarize(response: InstanceResponse): { status: number; body: string } {
  return { status: response.status, body: truncateBody(response.body) };
}

/** Marks a body that did not parse; `undefined` cannot, because JSON has no undefined. */
export const NOT_JSON = Symbol('not JSON');

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

function statusError(
  response: InstanceResponse,
  context: RequestContext,
  inner: Record<string, unknown> | undefined,
  now: number,
): SecOpsError {
  const details = { status: response.status, lastResponse: summarize(response) };
  const quoted = firstMessage(inner);

  // The documented errors when simple_response hides the message: only the status is left.
  if (response.status === 403) {
    return new SecOpsError(
      'insufficient_access',
      `the instance refused ${context.path} with HTTP 403${quoted}; give the integration user the role sn_sec_cmn.api_write`,
      details,
    );
  }
  if (response.status === 400) {
    return new SecOpsError(
      'invalid_post_body',
      `the instance rejected the body sent to ${context.path} with HTTP 400${quoted}; ${reasonOf400(context)}`,
      details,
    );
  }
  if (response.status === 500 && inner !== undefined) {
    return new SecOpsError(
      'unknown_error',
      `the instance failed the request to ${context.path} with HTTP 500${quoted}`,
      details,
    );
  }
  if (response.status === 404) {
    return new SecOpsError(
      'unexpected_response',
      `the instance has no resource at ${context.path} (HTTP 404); compare instance.api.basePath ` +
        `and records.${context.kind}.resource with the SecOps Integration Capabilities API on the instance`,
      details,
    );
  }
  return transportStatusError(response, context.path, now);
}

/** Advice for a 400 without a documented message, which depends on whether simple_response hid it. */
function reasonOf400(context: RequestContext): string {
  if (context.simpleResponse) {
    return 'set instance.api.simpleResponse to false so that the instance names the reason';
  }
  return (
    'the message is none the SecOps Integration Capabilities API documents, so look for the ' +
    "reason in the response body (lastResponse) and the instance's system log"
  );
}

function documentedError(
  documented: { code: DocumentedCode; mandatoryFields?: string[] },
  message: string,
  response: InstanceResponse,
  context: RequestContext,
): SecOpsError {
  const details = {
    status: response.status,
    lastResponse: summarize(response),
    mandatoryFields: documented.mandatoryFields,
  };
  const quoted = `the instance returned HTTP ${response.status} "${quoteInstanceMessage(message)}"`;
  const advice: Record<DocumentedCode, string> = {
    insufficient_access: 'give the integration user the role sn_sec_cmn.api_write',
    invalid_post_body: 'the relay sent an empty body or one that is not a JSON object',
    no_fields_supplied: `none of the body's keys is a column of ${context.table}; compare records.${context.kind}.columns with the table's dictionary`,
    mandatory_fields_missing: `the record leaves mandatory columns of ${context.table} empty; map them in records.${context.kind}.columns, or set instance.api.ignoreMandatoryFields`,
    unable_to_persist: `the insert into ${context.table} failed on the instance (a business rule, or an unknown enrichment mapping id); see the instance's system log`,
    unknown_error: 'the API failed for a reason it does not name; the request is retried',
  };
  return new SecOpsError(documented.code, `${quoted}: ${advice[documented.code]}`, details);
}

function indicatesFailure(body: Record<string, unknown>): boolean {
  return body.status === 'failure' || body.error !== undefined;
}

/** Texts where ServiceNow puts an error message: error.message, error.detail, error, message. */
function instanceMessages(body: Record<string, unknown>): string[] {
  const error = body.error;
  const candidates = isJsonObject(error) ? [error.message, error.detail] : [error];
  candidates.push(body.message);
  return candidates.filter((value): value is string => typeof value === 'string' && value !== '');
}

function firstMessage(body: Record<string, unknown> | undefined): string {
  const message = body === undefined ? undefined : instanceMessages(body)[0];
  return message === undefined ? '' : ` ("${quoteInstanceMessage(message)}")`;
}

function findSysId(body: Record<string, unknown>): string | undefined {
  if (typeof body.sys_id === 'string') return body.sys_id;
  if (isJsonObject(body.record) && typeof body.record.sys_id === 'string')
    return body.record.sys_id;
  return undefined;
}
