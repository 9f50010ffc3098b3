import * as z from 'zod';

/**
 * Builds a schema that picks one of several schemas by looking at the input's shape (array,
 * object with a certain key, string …) and reports that schema's issues with their real
 * paths. A `z.union` would instead report a single "Invalid input" at the union's path,
 * which does not name the field that is wrong.
 *
 * @example schemaByShape((input) => (Array.isArray(input) ? z.array(item) : item))
 */
export function schemaByShape<Schema extends z.ZodType>(
  select: (input: unknown) => Schema,
): z.ZodType<z.output<Schema>, unknown> {
  return z.unknown().transform((input, context): z.output<Schema> => {
    const result = select(input).safeParse(input);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      context.addIssue({ ...issue, input: undefined } as Parameters<typeof context.addIssue>[0]);
    }
    return z.NEVER;
  });
}

/** Checks whether a value is a JSON object: not null and not an array. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
