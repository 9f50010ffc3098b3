import * as z from 'zod';
import { closestMatch } from '../shared/closest-match.ts';

/**
 * Metadata key under which a discriminated union of the configuration schema names its
 * discriminator in messages, such as "auth type" for `sources.<id>.auth.type`. A union
 * without it is named by its discriminator key.
 */
export const DISCRIMINATOR_LABEL = 'discriminatorLabel';

type Union = z.core.$ZodDiscriminatedUnion;

/** One option of a discriminated union, by its discriminator value. */
interface Variant {
  value: string;
  keys: readonly string[];
}

/**
 * Context for the messages of configuration issues, collected while zod parses. A reported
 * unknown key keeps only the key, so the suggestion of a known one needs the object that
 * rejected it. When that object is an option of a discriminated union, such as the "token"
 * auth type, the other options' keys tell a key of another type from a misspelled one.
 */
export class IssueHints {
  private readonly objectsByPath = new Map<string, z.core.$ZodObject>();
  private unionsByOption: Map<z.core.$ZodType, Union> | undefined;

  constructor(private readonly root: z.core.$ZodType) {}

  /**
   * Records the object of each unknown-key issue and returns the message of an invalid
   * discriminator value. Used as a zod error map, it leaves every other message to zod.
   */
  record(issue: z.core.$ZodRawIssue): string | undefined {
    // The classic classes, not z.core's: reading z.core at run time keeps all of zod's
    // translations in each function bundle (about 330 KB).
    if (issue.code === 'unrecognized_keys' && issue.inst instanceof z.ZodObject) {
      this.objectsByPath.set(JSON.stringify(issue.path ?? []), issue.inst);
    }
    if (issue.code === 'invalid_union' && issue.inst instanceof z.ZodDiscriminatedUnion) {
      return invalidDiscriminatorMessage(issue.inst, issue.input);
    }
    return undefined;
  }

  /** Returns the message for the unknown `key` of the object at `path`. */
  unknownKeyMessage(path: readonly PropertyKey[], key: string): string {
    const object = this.objectsByPath.get(JSON.stringify(path));
    if (object === undefined) return 'unknown key; remove it or correct its name';

    const known = Object.keys(object._zod.def.shape);
    const union = this.unionOf(object);
    if (union === undefined) return unknownKeyOfObject(key, known);
    return unknownKeyOfVariant(key, known, union, object);
  }

  private unionOf(object: z.core.$ZodObject): Union | undefined {
    this.unionsByOption ??= indexUnionOptions(this.root);
    return this.unionsByOption.get(object);
  }
}

function unknownKeyOfObject(key: string, known: readonly string[]): string {
  if (known.length === 0) return 'unknown key; remove it or correct its name';
  const match = closestMatch(key, known);
  if (match !== undefined) return `unknown key; did you mean "${match}"?`;
  return `unknown key; expected one of ${quoteAll(known)}`;
}

/**
 * Prefers a key of another option over a misspelled key of this one, because a key copied
 * from another type's example is spelled right and only the type is wrong.
 */
function unknownKeyOfVariant(
  key: string,
  known: readonly string[],
  union: Union,
  object: z.core.$ZodObject,
): string {
  const label = labelOf(union);
  const own = discriminatorValue(union, object);
  const others = variantsOf(union).filter((variant) => variant.value !== own);
  const heading = `unknown key for ${label} "${own}"`;

  const holders = others.filter((variant) => variant.keys.includes(key));
  if (holders.length > 0) {
    return `${heading}; "${key}" is a key of ${label} ${listValues(holders)}`;
  }
  const ownMatch = closestMatch(key, known);
  if (ownMatch !== undefined) return `unknown key; did you mean "${ownMatch}"?`;

  const otherKeys = [...new Set(others.flatMap((variant) => variant.keys))].filter(
    (name) => !known.includes(name),
  );
  const otherMatch = closestMatch(key, otherKeys);
  if (otherMatch !== undefined) {
    const matchHolders = others.filter((variant) => variant.keys.includes(otherMatch));
    return `${heading}; did you mean "${otherMatch}", a key of ${label} ${listValues(matchHolders)}?`;
  }
  return `${heading}; expected one of ${quoteAll(known)}`;
}

/** Maximum characters of a sent value quoted in a message. */
const MAX_QUOTED_VALUE_CHARS = 60;

function invalidDiscriminatorMessage(union: Union, input: unknown): string {
  const discriminator = union._zod.def.discriminator;
  const label = labelOf(union);
  const values = variantsOf(union).map((variant) => variant.value);
  const sent =
    typeof input === 'object' && input !== null
      ? (input as Record<string, unknown>)[discriminator]
      : undefined;

  if (sent === undefined) return `missing ${label}; set one of ${quoteAll(values)}`;
  const match = typeof sent === 'string' ? closestMatch(sent, values) : undefined;
  const advice =
    match === undefined ? `expected one of ${quoteAll(values)}` : `did you mean "${match}"?`;
  return `invalid ${label} ${quoteValue(sent)}; ${advice}`;
}

function quoteValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= MAX_QUOTED_VALUE_CHARS ? text : `${text.slice(0, MAX_QUOTED_VALUE_CHARS)}…`;
}

function labelOf(union: Union): string {
  const label = z.globalRegistry.get(union)?.[DISCRIMINATOR_LABEL];
  return typeof label === 'string' ? label : union._zod.def.discriminator;
}

function variantsOf(union: Union): Variant[] {
  return union._zod.def.options.flatMap((option) => {
    if (!(option instanceof z.ZodObject)) return [];
    const value = discriminatorValue(union, option);
    return value === undefined ? [] : [{ value, keys: Object.keys(option._zod.def.shape) }];
  });
}

function discriminatorValue(union: Union, option: z.core.$ZodType): string | undefined {
  const values = option._zod.propValues?.[union._zod.def.discriminator];
  const first = values === undefined ? undefined : [...values][0];
  return typeof first === 'string' ? first : undefined;
}

function listValues(variants: readonly Variant[]): string {
  const quoted = variants.map((variant) => `"${variant.value}"`);
  if (quoted.length === 1) return quoted[0]!;
  return `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)!}`;
}

function quoteAll(names: readonly string[]): string {
  return names.map((name) => `"${name}"`).join(', ');
}

/**
 * Maps each option of every discriminated union in `root` to its union. The walk follows
 * every schema a definition refers to (inner types, array elements, record values, union
 * options and object shapes), so it needs no list of the wrapper types.
 */
function indexUnionOptions(root: z.core.$ZodType): Map<z.core.$ZodType, Union> {
  const unions = new Map<z.core.$ZodType, Union>();
  const seen = new Set<z.core.$ZodType>();
  const pending = [root];
  for (let schema = pending.pop(); schema !== undefined; schema = pending.pop()) {
    if (seen.has(schema)) continue;
    seen.add(schema);
    if (schema instanceof z.ZodDiscriminatedUnion) {
      for (const option of schema._zod.def.options) unions.set(option, schema);
    }
    pending.push(...childSchemas(schema));
  }
  return unions;
}

function childSchemas(schema: z.core.$ZodType): z.core.$ZodType[] {
  const children: z.core.$ZodType[] = [];
  for (const value of Object.values(schema._zod.def)) {
    let candidates: unknown[] = [];
    if (Array.isArray(value)) candidates = value;
    else if (value instanceof z.ZodType) candidates = [value];
    else if (typeof value === 'object' && value !== null) candidates = Object.values(value);
    for (const candidate of candidates) {
      if (candidate instanceof z.ZodType) children.push(candidate);
    }
  }
  return children;
}
