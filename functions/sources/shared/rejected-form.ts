import * as z from 'zod';

/**
 * Builds a schema that rejects every input with one issue at `path`, for payload forms a
 * source recognizes but does not read (another vendor's format, AWS CLI output). Used inside
 * `schemaByShape`, it replaces "expected id" by a message that names the form to send instead.
 */
export function rejectedForm(message: string, path: string[]): z.ZodType<never, unknown> {
  return z.unknown().superRefine((_input, context) => {
    context.addIssue({ code: 'custom', message, path });
  }) as unknown as z.ZodType<never, unknown>;
}
