import type { SourceAdapter } from '../source.ts';
import { normalizeGeneric } from './normalize.ts';
import { genericPayloadSchema, type GenericPayload } from './schema.ts';

/**
 * Records already in the relay's record shape, for any tool that can build them: SOAR
 * playbooks, scripts, vendors without an adapter of their own. Observables may be plain
 * strings; their type is detected.
 */
export const genericSource: SourceAdapter<GenericPayload> = {
  id: 'generic',
  // Each generic record names its own vendor in `source`; this name is only the adapter's label.
  vendorName: 'Generic',
  payloadSchema: genericPayloadSchema,
  normalize: normalizeGeneric,
};
