import {
  canonicalizeObservable,
  InvalidObservableError,
  parseObservable,
  type Observable,
  type ObservableType,
} from '../../records/observable.ts';
import { NormalizationError } from '../source.ts';

/** Path of a field in a vendor payload, as ingest reports it (`data[3].ioc`). */
export type PayloadPath = (string | number)[];

/**
 * Canonicalizes an observable read from a vendor payload. An invalid value becomes a
 * NormalizationError that names the field, so the sender gets a 422 pointing at it.
 *
 * @param what how the message names the value, such as "the IOC" or "the host"
 */
export function canonicalizeField(
  type: ObservableType,
  raw: string,
  path: PayloadPath,
  what: string,
): Observable {
  return atField(path, what, () => canonicalizeObservable(type, raw));
}

/**
 * Detects the type of an observable read from a vendor payload and canonicalizes it, accepting
 * only the listed types (a URLhaus host is an IP address or a domain, never a hash).
 */
export function parseFieldAs(
  accepted: readonly ObservableType[],
  raw: string,
  path: PayloadPath,
  what: string,
): Observable {
  const observable = atField(path, what, () => parseObservable(raw));
  if (!accepted.includes(observable.type)) {
    throw new NormalizationError(
      `Cannot read ${what}: "${abbreviate(raw)}" looks like a ${observable.type} value, but ` +
        `only ${accepted.join(', ')} values are accepted here.`,
      path,
    );
  }
  return observable;
}

function atField(path: PayloadPath, what: string, read: () => Observable): Observable {
  try {
    return read();
  } catch (error) {
    if (error instanceof InvalidObservableError) {
      throw new NormalizationError(`Cannot read ${what}: ${error.message}`, path, {
        cause: error,
      });
    }
    throw error;
  }
}

function abbreviate(value: string): string {
  return value.length <= 120 ? value : `${value.slice(0, 117)}...`;
}
