import { SecretError } from './secret-store.ts';

/**
 * Parses a secret's text as a JSON object. The SyntaxError of JSON.parse quotes part of
 * its input, so it is neither put in the message nor kept as the cause: the error
 * names the secret and what is wrong with it, never its value.
 */
export function parseSecretJson(secretName: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SecretError(
      'secret_malformed',
      secretName,
      `secret "${secretName}" is not valid JSON; store it as a JSON object of key/value pairs`,
    );
  }
  return requireSecretObject(secretName, value);
}

/** Returns the value when it is a JSON object, else throws `secret_malformed` naming the type found. */
export function requireSecretObject(secretName: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const found = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new SecretError(
      'secret_malformed',
      secretName,
      `secret "${secretName}" is ${found}, not a JSON object; store it as a JSON object of key/value pairs`,
    );
  }
  return value as Record<string, unknown>;
}
