import fc from 'fast-check';
import { it } from 'vitest';
import type { SourceAdapter } from '../../../functions/sources/source.ts';
import {
  expectNoVerdictOnUnroutedAddresses,
  expectRecordsOrClearRejection,
} from './aws-source-run.ts';

/**
 * IP address fields as AWS findings carry them: real addresses mixed with unrouted,
 * IPv4-mapped, empty and non-address strings.
 */
export const findingAddress = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.constantFrom('10.1.2.3', '0.0.0.0', '::ffff:10.0.0.1', ''),
  fc.string(),
);

/**
 * Declares the property tests that every AWS finding source (GuardDuty, Security Hub) passes,
 * inside the caller's `describe`. No `payload` makes the source throw anything but a schema
 * failure or a NormalizationError. No `finding` gets a Malicious or Suspicious verdict on an
 * address that is not routed on the internet.
 */
export function itHandlesArbitraryFindings(
  source: SourceAdapter,
  arbitraries: { payload: fc.Arbitrary<unknown>; finding: fc.Arbitrary<unknown> },
): void {
  it('never throws past its schema and normalizer', () => {
    fc.assert(
      fc.property(arbitraries.payload, (json) => expectRecordsOrClearRejection(source, json)),
      { numRuns: 400 },
    );
  });

  it('never judges an unrouted address Malicious or Suspicious', () => {
    fc.assert(
      fc.property(arbitraries.finding, (json) => expectNoVerdictOnUnroutedAddresses(source, json)),
      { numRuns: 400 },
    );
  });
}
