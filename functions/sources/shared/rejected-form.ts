import * as z from 'zod';

/**
 * Builds a schema that rejects every input with one issue at `path`, for payload forms a
 * source recognizes but does not read (another vendor's format, AWS CLI output). Used inside
 * `schemaByShape`, it replaces "expected id" by a message that names the form to send instead.
 * `path` may be a function of the input, for a form recognized by one of several members.
 */
export function rejectedForm(
  message: string,
  path: string[] | ((input: unknown) => string[]),
): z.ZodType<never, unknown> {
  return z.unknown().superRefine((input, context) => {
    context.addIssue({
      code: 'custom',
      message,
      path: typeof path === 'function' ? path(input) : path,
    });
  }) as unknown as z.ZodType<never, unknown>;
}
