import * as z from 'zod';

/**
 * Builds a schema that picks one of several schemas by looking at the input's shape (array,
 * object with a certain key, string …) and reports that schema's issues with their real
 * paths. A `z.union` would instead report a single "Invalid input" at the union's path,
 * which does not name the field that is wrong.
 *
 * `pick` returns the key of one of `schemas`, not a schema, so each schema is built once.
 * zod compiles an object schema on its first parse, so a schema built per input would be
 * compiled again on every request.
 *
 * @example schemaByShape({ list: z.array(item), one: item }, (input) => (Array.isArray(input) ? 'list' : 'one'))
 */
export function schemaByShape<Schemas extends Record<string, z.ZodType>>(
  schemas: Schemas,
  pick: (input: unknown) => keyof Schemas,
): z.ZodType<z.output<Schemas[keyof Schemas]>, unknown> {
  return z.unknown().transform((input, context): z.output<Schemas[keyof Schemas]> => {
    const name = pick(input);
    const schema = Object.hasOwn(schemas, name) ? schemas[name] : undefined;
    if (schema === undefined) {
      throw new Error(`schemaByShape picked "${String(name)}", which is not one of its schemas.`);
    }
    const result = schema.safeParse(input);
    if (result.success) return result.data as z.output<Schemas[keyof Schemas]>;
    for (const issue of result.error.issues) {
      context.addIssue({ ...issue, input: undefined } as Parameters<typeof context.addIssue>[0]);
    }
    return z.NEVER;
  });
}

export { isJsonObject } from '../shared/json.ts';
