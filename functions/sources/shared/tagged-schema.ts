import type * as z from 'zod';

/**
 * Wraps a schema so its output names the form of payload it recognized, as
 * `{ form, body }`. A source whose schema picks among several response shapes (with
 * `schemaByShape`) passes the form on, so its normalizer does not tell the shapes apart
 * a second time.
 *
 * @example taggedSchema('host', hostLookupSchema) // parses to { form: 'host', body: {...} }
 */
export function taggedSchema<Form extends string, Body>(
  form: Form,
  schema: z.ZodType<Body>,
): z.ZodType<{ form: Form; body: Body }, unknown> {
  return schema.transform((body) => ({ form, body }));
}
