import { SECOPS_WRITE_ROLE, type SandboxUser } from '../auth/credentials.ts';
import type { FaultMode } from '../faults.ts';
import type { RecordStore } from '../record-store.ts';
import type { SandboxEnrichmentMapping } from './enrichment-mappings.ts';
import type { ApiOutcome, SecOpsParams } from './params.ts';
import { targetFor, type ResourceTarget, type TableTarget } from './routes.ts';

/**
 * Maximum length of a value in one column, in UTF-16 code units, like a
 * ServiceNow string column of the largest standard size (65,000).
 */
export const MAX_VALUE_LENGTH = 65_000;

export interface CreateRecordRequest {
  route: ResourceTarget;
  /** The request body exactly as received. */
  body: string;
  user: SandboxUser;
  params: SecOpsParams;
  /** Mode of the fault in force, if any; only persist_failure and unknown_error act here. */
  fault?: FaultMode;
}

export interface CreateRecordContext {
  store: RecordStore;
  mappings: ReadonlyMap<string, SandboxEnrichmentMapping>;
}

/** A documented API error; a class, so that no request body can pass for one. */
class Failure {
  constructor(
    readonly status: 400 | 403 | 500,
    readonly message: string,
    readonly detail: string,
  ) {}
}

function fail(status: Failure['status'], message: string, detail: string): Failure {
  return new Failure(status, message, detail);
}

function parsePostBody(text: string): Record<string, unknown> | Failure {
  const invalid = (detail: string) => fail(400, 'Invalid post body', detail);
  if (text.trim() === '') return invalid('The request body is empty; send a JSON object');

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return invalid(`The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return invalid('The request body must be a JSON object of column names to values');
  }
  if (Object.keys(parsed).length === 0) return invalid('The request body is an empty JSON object');
  return parsed as Record<string, unknown>;
}

// The instance stores every value as text; nested JSON arrives as its JSON text.
function toColumnValue(value: unknown): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

const isEmpty = (value: string | undefined) => value === undefined || value.trim() === '';

/** Checks the fields against the table: known columns, mandatory fields and value lengths. */
function validateFields(
  target: TableTarget,
  body: Record<string, unknown>,
  params: SecOpsParams,
): Record<string, string> | Failure {
  const fields: Record<string, string> = {};
  for (const column of target.columns) {
    if (Object.hasOwn(body, column)) fields[column] = toColumnValue(body[column]);
  }

  const supplied = Object.keys(fields);
  if (supplied.length === 0) {
    return fail(
      400,
      'No fields supplied',
      `None of the keys ${Object.keys(body).join(', ')} is a column of ${target.table}; ` +
        `its columns are ${target.columns.join(', ')}`,
    );
  }
  if (supplied.every((column) => isEmpty(fields[column]))) {
    return fail(400, 'No fields supplied', `Every column of ${target.table} in the body is empty`);
  }

  const missing = target.mandatoryFields.filter((column) => isEmpty(fields[column]));
  if (missing.length > 0 && !params.ignoreMandatoryFields) {
    return fail(
      400,
      `Mandatory fields missing: ${missing.join(',')}`,
      `Set a value for each of them, or pass ignore_mandatory_fields=true`,
    );
  }

  return tooLong(fields) ?? fields;
}

function tooLong(columns: Record<string, string>): Failure | undefined {
  for (const [column, value] of Object.entries(columns)) {
    if (value.length > MAX_VALUE_LENGTH) {
      return fail(
        500,
        'Unable to persist record',
        `The value of ${column} is ${value.length} characters long; a column holds at most ${MAX_VALUE_LENGTH}`,
      );
    }
  }
  return undefined;
}

function applyMapping(
  route: ResourceTarget,
  fields: Record<string, string>,
  mappings: CreateRecordContext['mappings'],
): Record<string, string> | Failure {
  const idColumn = route.mappingColumns.id;
  const mappingId = idColumn === null ? '' : (fields[idColumn] ?? '');
  const mapping = mappings.get(mappingId);
  if (idColumn === null || mapping === undefined) {
    return fail(
      500,
      'Unable to persist record',
      `No enrichment mapping has sys_id "${mappingId}"; known mappings: ${[...mappings.keys()].join(', ') || 'none'}`,
    );
  }

  const rawDataColumn = route.mappingColumns.rawData;
  let mapped: Record<string, string>;
  try {
    mapped = mapping.map(rawDataColumn === null ? '' : (fields[rawDataColumn] ?? ''));
  } catch (error) {
    return fail(
      500,
      'Unable to persist record',
      `Enrichment mapping "${mapping.name}" could not map the data: ${(error as Error).message}`,
    );
  }
  const columns = { ...mapped, [idColumn]: mappingId };
  return tooLong(columns) ?? columns;
}

/**
 * Validates and stores one record as the SecOps Integration Capabilities API does,
 * raising its documented errors in this order: Insufficient access, Invalid post body,
 * No fields supplied, Mandatory fields missing, Unable to persist record. The faults
 * `unknown_error` and `persist_failure` fail the request after the role check and in
 * place of the insert.
 */
export function createRecord(
  request: CreateRecordRequest,
  context: CreateRecordContext,
): ApiOutcome {
  const { route, user, params } = request;
  if (!user.roles.includes(SECOPS_WRITE_ROLE)) {
    return fail(
      403,
      'Insufficient access',
      `User ${user.username} does not have the role ${SECOPS_WRITE_ROLE}; grant it to the integration user`,
    );
  }
  if (request.fault === 'unknown_error') {
    return fail(500, 'Unknown error', 'The sandbox fault "unknown_error" is in force');
  }

  const body = parsePostBody(request.body);
  if (body instanceof Failure) return body;

  const target = targetFor(route, body);
  const fields = validateFields(target, body, params);
  if (fields instanceof Failure) return fields;

  if (request.fault === 'persist_failure') {
    return fail(500, 'Unable to persist record', 'The sandbox fault "persist_failure" is in force');
  }

  const columns =
    target.kind === 'enrichment_mapping' ? applyMapping(route, fields, context.mappings) : fields;
  if (columns instanceof Failure) return columns;

  const record = context.store.insert(target.table, columns, user.username);
  return { status: 201, table: target.table, record };
}
