/**
 * Returns a deep copy of a JSON value without the object members named in `keys`, at any
 * depth. Sources use it to keep vendor fields that can hold personal data (reporter
 * handles, comments, WHOIS text) out of raw payloads.
 */
export function withoutMembers(value: unknown, keys: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((item) => withoutMembers(item, keys));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !keys.has(key))
      .map(([key, member]) => [key, withoutMembers(member, keys)]),
  );
}
