import { SandboxSetupError } from '../errors.ts';

/**
 * An enrichment data map of the sandbox instance: it turns the `raw_data` text of a
 * mapping request into column values of the enrichment table.
 */
export interface SandboxEnrichmentMapping {
  /** 32-character lower-case hex sys_id that requests name in `enrichment_mapping_id`. */
  sysId: string;
  name: string;
  /**
   * Returns column name to value for the record to create. Throws when the text cannot
   * be mapped; the API then responds "Unable to persist record" with the error's message.
   */
  map(rawData: string): Record<string, string>;
}

/** sys_id of the enrichment mapping every sandbox has unless its options replace the list. */
export const DEFAULT_ENRICHMENT_MAPPING_ID = '5d1c8f4e2b7a4e0c9f3a6b1d0e2c4a68';

const COLUMN_NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Creates a mapping that parses `raw_data` as a JSON object and stores each top-level
 * string, number or boolean field as the column of the same name. Nested objects, arrays,
 * nulls, keys that are not column names and `sys_` fields are left out, because a data
 * map only fills the columns it maps and the platform owns the system fields.
 *
 * @example
 * startSandbox({ enrichmentMappings: [createJsonFieldsMapping('0123456789abcdef0123456789abcdef')] });
 */
export function createJsonFieldsMapping(
  sysId: string,
  name = 'JSON top-level fields',
): SandboxEnrichmentMapping {
  return {
    sysId,
    name,
    map(rawData) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(rawData);
      } catch (error) {
        throw new SyntaxError(`raw_data is not valid JSON: ${(error as Error).message}`);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new TypeError('raw_data must be a JSON object');
      }

      const columns: Record<string, string> = {};
      for (const [key, value] of Object.entries(parsed)) {
        if (!COLUMN_NAME.test(key) || key.startsWith('sys_')) continue;
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
          columns[key] = String(value);
        }
      }
      return columns;
    },
  };
}

/** Indexes mappings by sys_id, rejecting malformed or repeated ids. */
export function indexEnrichmentMappings(
  mappings: readonly SandboxEnrichmentMapping[],
): Map<string, SandboxEnrichmentMapping> {
  const index = new Map<string, SandboxEnrichmentMapping>();
  for (const mapping of mappings) {
    if (!/^[0-9a-f]{32}$/.test(mapping.sysId)) {
      throw new SandboxSetupError(
        'invalid_option',
        `enrichmentMappings: sysId "${mapping.sysId}" must be 32 lower-case hex characters`,
      );
    }
    if (index.has(mapping.sysId)) {
      throw new SandboxSetupError(
        'invalid_option',
        `enrichmentMappings: sysId "${mapping.sysId}" appears more than once`,
      );
    }
    index.set(mapping.sysId, mapping);
  }
  return index;
}
