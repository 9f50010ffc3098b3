import type { RelayConfig } from '../../functions/config/schema.ts';
import { RECORD_KINDS, type RecordKind } from '../../functions/records/record.ts';
import { SandboxSetupError } from '../errors.ts';

/** One record kind as the API stores it: its table, accepted columns and mandatory fields. */
export interface TableTarget {
  kind: RecordKind;
  table: string;
  /** Column names from `records.<kind>.columns`, without the ones configured as null. */
  columns: string[];
  mandatoryFields: string[];
}

/**
 * One resource of the SecOps API. A resource serves one record kind, or one kind plus
 * enrichment mappings: the default configuration puts both on `observable_enrichment`,
 * and a body that contains the mapping id column is a mapping request.
 */
export interface ResourceTarget {
  resource: string;
  record?: TableTarget;
  mapping?: TableTarget;
  /** Columns of a mapping request; null where the configuration leaves a column out. */
  mappingColumns: { id: string | null; rawData: string | null };
}

function tableTarget(config: RelayConfig, kind: RecordKind): TableTarget {
  const settings = config.records[kind];
  const columns = Object.values(settings.columns as Record<string, string | null>).filter(
    (column): column is string => column !== null,
  );
  return {
    kind,
    table: settings.table,
    columns: [...new Set(columns)],
    mandatoryFields: settings.mandatoryFields,
  };
}

/**
 * Builds the SecOps API routes from the configuration, keyed by full path
 * (`instance.api.basePath` + `/` + resource). Throws SandboxSetupError when two record
 * kinds other than enrichment mappings share a resource, because the sandbox could not
 * tell their requests apart.
 */
export function buildSecOpsRoutes(config: RelayConfig): Map<string, ResourceTarget> {
  const routes = new Map<string, ResourceTarget>();
  const mappingSettings = config.records.enrichment_mapping.columns;
  const mappingColumns = {
    id: mappingSettings.enrichmentMappingId,
    rawData: mappingSettings.rawData,
  };

  for (const kind of RECORD_KINDS) {
    const resource = config.records[kind].resource;
    const path = `${config.instance.api.basePath}/${resource}`;
    const route = routes.get(path) ?? { resource, mappingColumns };
    const target = tableTarget(config, kind);

    if (kind === 'enrichment_mapping') {
      route.mapping = target;
    } else if (route.record === undefined) {
      route.record = target;
    } else {
      throw new SandboxSetupError(
        'ambiguous_resource',
        `records.${route.record.kind}.resource and records.${kind}.resource are both "${resource}"; ` +
          'give each record kind its own resource',
      );
    }
    routes.set(path, route);
  }
  return routes;
}

/** Lists the tables the configuration names, each once. */
export function configuredTables(config: RelayConfig): string[] {
  return [...new Set(RECORD_KINDS.map((kind) => config.records[kind].table))];
}

/** Picks the record kind a request body is for on a resource that may serve two. */
export function targetFor(route: ResourceTarget, body: Record<string, unknown>): TableTarget {
  const isMapping =
    route.mapping !== undefined &&
    (route.record === undefined ||
      (route.mappingColumns.id !== null && Object.hasOwn(body, route.mappingColumns.id)));
  const target = isMapping ? route.mapping : route.record;
  // buildSecOpsRoutes never creates a route without a target.
  return target as TableTarget;
}
