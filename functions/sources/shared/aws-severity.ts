/**
 * Severity labels of AWS findings, in the words the GuardDuty and Security Hub consoles show.
 * GuardDuty has no Informational level; Security Hub uses it for checks that found no issue.
 */
export const SEVERITY_LABELS = ['Informational', 'Low', 'Medium', 'High', 'Critical'] as const;

export type SeverityLabel = (typeof SEVERITY_LABELS)[number];

/** The labels Security Hub writes into `Severity.Label`. */
export const ASFF_SEVERITY_LABELS = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;

export type AsffSeverityLabel = (typeof ASFF_SEVERITY_LABELS)[number];

/**
 * Returns the band of a GuardDuty severity score (0.0 to 10.0) as the GuardDuty User Guide
 * ("Severity levels of GuardDuty findings") defines it: Low 1.0–3.9, Medium 4.0–6.9,
 * High 7.0–8.9, Critical 9.0–10.0. Scores below 1.0, which older findings used (the guide
 * then gave Low as 0.1–3.9), are Low too.
 */
export function guardDutySeverityLabel(score: number): SeverityLabel {
  if (score >= 9) return 'Critical';
  if (score >= 7) return 'High';
  if (score >= 4) return 'Medium';
  return 'Low';
}

/**
 * Returns the label of a Security Hub finding: its `Severity.Label`, else the label Security
 * Hub derives from the deprecated `Severity.Normalized` (0 Informational, 1–39 Low,
 * 40–69 Medium, 70–89 High, 90–100 Critical, as the `Severity` API reference lists them).
 */
export function asffSeverityLabel(
  label: AsffSeverityLabel | null | undefined,
  normalized: number | null | undefined,
): SeverityLabel | undefined {
  if (label !== undefined && label !== null) {
    return SEVERITY_LABELS[ASFF_SEVERITY_LABELS.indexOf(label)];
  }
  if (normalized === undefined || normalized === null) return undefined;
  if (normalized >= 90) return 'Critical';
  if (normalized >= 70) return 'High';
  if (normalized >= 40) return 'Medium';
  if (normalized >= 1) return 'Low';
  return 'Informational';
}
