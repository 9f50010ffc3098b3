import type { PayloadPath } from '../shared/aws-observables.ts';
import { productField } from './product.ts';
import type { AsffFinding } from './schema.ts';

/** The reason a finding gives no records: the reason code, the deciding field and its value. */
export interface SkipReason {
  reason: string;
  field: PayloadPath;
  value: string | boolean;
}

const GUARDDUTY_SAMPLE = 'aws/guardduty/service/additionalInfo/sample';

/**
 * Decides whether a finding is left out, checked in this order:
 * - `sample_finding`: `Sample` is true, or a GuardDuty sample finding's flattened
 *   `additionalInfo/sample` is "true". Sample findings describe made-up resources.
 * - `archived_finding`: `RecordState` ARCHIVED. The finding provider no longer considers it
 *   current, and the console hides it.
 * - `passed_control`: `Compliance.Status` PASSED. The control found no issue.
 * - `suppressed_finding`: `Workflow.Status` SUPPRESSED. An analyst reviewed it and decided
 *   that no action is needed.
 * - `resolved_finding`: `Workflow.Status` RESOLVED. The issue was fixed; the earlier NEW or
 *   NOTIFIED import of the same finding already gave its records.
 * Returns undefined for a finding that gives records.
 */
export function skipReason(finding: AsffFinding): SkipReason | undefined {
  if (finding.Sample === true) return { reason: 'sample_finding', field: ['Sample'], value: true };
  if (productField(finding, GUARDDUTY_SAMPLE) === 'true') {
    return { reason: 'sample_finding', field: ['ProductFields', GUARDDUTY_SAMPLE], value: 'true' };
  }
  if (finding.RecordState === 'ARCHIVED') {
    return { reason: 'archived_finding', field: ['RecordState'], value: 'ARCHIVED' };
  }
  if (finding.Compliance?.Status === 'PASSED') {
    return { reason: 'passed_control', field: ['Compliance', 'Status'], value: 'PASSED' };
  }
  const workflow = finding.Workflow?.Status;
  if (workflow === 'SUPPRESSED' || workflow === 'RESOLVED') {
    return {
      reason: `${workflow.toLowerCase()}_finding`,
      field: ['Workflow', 'Status'],
      value: workflow,
    };
  }
  return undefined;
}
