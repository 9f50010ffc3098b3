import type { RelayConfig } from '../config/schema.ts';
import type { RelayRecord } from './record.ts';

/** The table a record is written to and the request body the SecOps API expects for it. */
export interface InstanceRequest {
  table: string;
  resource: string;
  body: Record<string, string>;
}

/**
 * Turns a record into the body of a SecOps API request, under the instance's column
 * names. Every value is sent as a string, as scripted REST APIs read them; nested details
 * are sent as a JSON string. Fields whose column is configured as null are left out.
 */
export function toInstanceRequest(record: RelayRecord, config: RelayConfig): InstanceRequest {
  const settings = config.records[record.kind];
  const columns = settings.columns as Record<string, string | null>;
  const body: Record<string, string> = {};

  const put = (field: string, value: unknown) => {
    const column = columns[field];
    if (column === null || column === undefined || value === undefined) return;
    body[column] = typeof value === 'string' ? value : JSON.stringify(value);
  };

  switch (record.kind) {
    case 'threat_lookup_result':
      put('observable', record.observable.value);
      put('observableType', config.observableTypeNames[record.observable.type]);
      put('finding', record.finding);
      put('source', record.source);
      put('summary', record.summary);
      put('reportUrl', record.reportUrl);
      put('lookedUpAt', record.lookedUpAt);
      put('rawPayload', record.rawPayload);
      break;
    case 'observable_enrichment':
      put('observable', record.observable.value);
      put('observableType', config.observableTypeNames[record.observable.type]);
      put('source', record.source);
      put('summary', record.summary);
      put('enrichedAt', record.enrichedAt);
      put('details', record.details);
      put('rawPayload', record.rawPayload);
      break;
    case 'ci_enrichment':
      put('ci', record.ci);
      put('ciClass', record.ciClass);
      put('source', record.source);
      put('summary', record.summary);
      put('enrichedAt', record.enrichedAt);
      put('details', record.details);
      put('rawPayload', record.rawPayload);
      break;
    case 'enrichment_mapping':
      put('enrichmentMappingId', record.enrichmentMappingId);
      put('rawData', record.rawData);
      break;
  }

  return { table: settings.table, resource: settings.resource, body };
}
