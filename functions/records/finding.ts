import * as z from 'zod';

/**
 * ServiceNow's threat lookup finding values. The instance rolls the most recent result of
 * each vendor up into one observable finding: any Malicious wins, then Suspicious, and
 * Clean only when every vendor says Clean, so a wrong Clean is the costliest mistake.
 */
export const FINDINGS = ['Malicious', 'Suspicious', 'Clean', 'Unknown'] as const;

export const findingSchema = z.enum(FINDINGS);

export type Finding = z.infer<typeof findingSchema>;
