import { methodNotAllowed, platformError, type Exchange, type Reply } from './http.ts';
import type { RecordStore, SandboxRecord } from './record-store.ts';

/** Path prefix of ServiceNow's Table API. */
export const TABLE_API_PREFIX = '/api/now/table/';

/** Rows returned when sysparm_limit is absent, as ServiceNow's default. */
const DEFAULT_LIMIT = 10_000;

const FIELD_NAME = /^[a-z][a-z0-9_]*$/;

interface TableQuery {
  equals: { field: string; value: string }[];
  orderBy: { field: string; descending: boolean }[];
}

class InvalidQueryError extends Error {}

/**
 * Parses the subset of encoded queries the sandbox supports: `field=value` terms joined
 * by `^`, plus `ORDERBYfield` and `ORDERBYDESCfield`. Any other operator is rejected
 * rather than ignored, so a test never passes on a filter that did not apply.
 */
function parseEncodedQuery(encoded: string): TableQuery {
  const query: TableQuery = { equals: [], orderBy: [] };
  for (const term of encoded.split('^')) {
    if (term === '') continue;

    const order = /^ORDERBY(DESC)?([a-z][a-z0-9_]*)$/.exec(term);
    if (order !== null) {
      query.orderBy.push({ field: order[2] ?? '', descending: order[1] !== undefined });
      continue;
    }

    const separator = term.indexOf('=');
    const field = separator === -1 ? '' : term.slice(0, separator);
    if (!FIELD_NAME.test(field)) {
      throw new InvalidQueryError(
        `Unsupported sysparm_query term "${term}"; the sandbox supports field=value terms ` +
          'joined by ^, ORDERBYfield and ORDERBYDESCfield',
      );
    }
    query.equals.push({ field, value: term.slice(separator + 1) });
  }
  return query;
}

function parseCount(query: URLSearchParams, name: string, fallback: number): number {
  const text = query.get(name);
  if (text === null || text === '') return fallback;
  if (!/^\d+$/.test(text)) {
    throw new InvalidQueryError(`${name} must be a whole number, not "${text}"`);
  }
  return Number(text);
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function compareBy(orderBy: TableQuery['orderBy']) {
  return (left: SandboxRecord, right: SandboxRecord): number => {
    for (const { field, descending } of orderBy) {
      // Code-unit order, so the result does not depend on the machine's locale.
      const a = left[field] ?? '';
      const b = right[field] ?? '';
      if (a !== b) return (a < b ? -1 : 1) * (descending ? -1 : 1);
    }
    return 0;
  };
}

function listRecords(table: string, store: RecordStore, params: URLSearchParams): Reply {
  let query: TableQuery;
  let limit: number;
  let offset: number;
  try {
    query = parseEncodedQuery(params.get('sysparm_query') ?? '');
    limit = parseCount(params, 'sysparm_limit', DEFAULT_LIMIT);
    offset = parseCount(params, 'sysparm_offset', 0);
  } catch (error) {
    if (!(error instanceof InvalidQueryError)) throw error;
    return { status: 400, json: platformError(error.message) };
  }

  const matches = store
    .list(table)
    .filter((record) => query.equals.every(({ field, value }) => (record[field] ?? '') === value));
  // Array.prototype.sort is stable, so equal keys keep insertion order.
  matches.sort(compareBy(query.orderBy));

  return {
    status: 200,
    json: { result: matches.slice(offset, offset + limit) },
    headers: { 'x-total-count': String(matches.length) },
  };
}

/**
 * Handles `GET /api/now/table/{table}` and `GET /api/now/table/{table}/{sys_id}` from the
 * sandbox's records. The caller has already authenticated the request.
 */
export function handleTableRequest(exchange: Exchange, store: RecordStore): Reply {
  const segments = exchange.path.slice(TABLE_API_PREFIX.length).split('/').map(decodeSegment);
  const [table = '', sysId, ...rest] = segments;
  if (rest.length > 0 || sysId === '' || segments.includes(undefined)) {
    return {
      status: 404,
      json: platformError('Requested URI does not represent any resource', exchange.path),
    };
  }
  if (exchange.method !== 'GET') return methodNotAllowed(exchange, ['GET']);
  if (!store.hasTable(table)) return { status: 400, json: platformError(`Invalid table ${table}`) };

  if (sysId === undefined) return listRecords(table, store, exchange.query);

  const record = store.find(table, sysId);
  if (record === undefined) {
    return {
      status: 404,
      json: platformError(
        'No Record found',
        "Record doesn't exist or ACL restricts the record retrieval",
      ),
    };
  }
  return { status: 200, json: { result: record } };
}
