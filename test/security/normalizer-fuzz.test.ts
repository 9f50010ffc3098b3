import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SOURCES } from '../../functions/sources/index.ts';
import { runSource } from '../sources/run-source.ts';
import { mutatedSamples } from './fixtures.ts';

const SOURCE_IDS = Object.keys(SOURCES);

describe('every source on arbitrary payloads', () => {
  // runSource throws for anything but a schema issue, a NormalizationError or valid records,
  // so a crash or an invalid record fails the property with the payload that caused it.
  it.each(SOURCE_IDS)('%s parses, rejects or builds valid records', (sourceId) => {
    const source = SOURCES[sourceId]!;
    const payload = fc.oneof(
      { weight: 3, arbitrary: mutatedSamples(sourceId) },
      { weight: 1, arbitrary: fc.jsonValue() },
    );

    fc.assert(
      fc.property(payload, (json) => {
        const result = runSource(source, json);

        expect(['records', 'invalid', 'rejected']).toContain(result.outcome);
      }),
      { numRuns: 200 },
    );
  });
});
