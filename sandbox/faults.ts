import * as z from 'zod';
import { formatPath } from '../functions/shared/json-path.ts';
import { InvalidFaultError } from './errors.ts';

/** How many of the next SecOps API requests the fault applies to; absent means until cleared. */
const count = z.number().int().min(1).max(100_000).optional();

export const faultSchema = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('rate_limit'),
    /** Value of the Retry-After header, in seconds. */
    retryAfterSeconds: z.number().int().min(0).max(3600).default(1),
    count,
  }),
  z.strictObject({
    mode: z.literal('server_error'),
    status: z.literal([500, 502, 503, 504]).default(503),
    count,
  }),
  z.strictObject({
    mode: z.literal('slow'),
    /** Delay before the normal response, in milliseconds. */
    delayMs: z.number().int().min(0).max(120_000).default(3000),
    count,
  }),
  z.strictObject({ mode: z.literal('reset'), count }),
  z.strictObject({ mode: z.literal('html'), count }),
  z.strictObject({ mode: z.literal('persist_failure'), count }),
  z.strictObject({ mode: z.literal('unknown_error'), count }),
]);

export type SandboxFault = z.infer<typeof faultSchema>;
export type SandboxFaultInput = z.input<typeof faultSchema>;
export type FaultMode = SandboxFault['mode'];

/** The fault in force and how many more requests it applies to (null: until cleared). */
export interface ActiveFault {
  fault: SandboxFault;
  remaining: number | null;
}

/**
 * Makes the sandbox misbehave on its SecOps API paths, as an instance under load, in an
 * upgrade or in hibernation does. One fault is in force at a time; `set` replaces it.
 *
 * @example
 * sandbox.faults.set({ mode: 'rate_limit', retryAfterSeconds: 2, count: 1 });
 */
export interface FaultController {
  /** Validates and installs a fault, throwing InvalidFaultError that names each invalid field. */
  set(fault: SandboxFaultInput): SandboxFault;
  clear(): void;
  current(): ActiveFault | undefined;
}

/** Parses a fault description, throwing InvalidFaultError that names each invalid field. */
export function parseFault(input: unknown): SandboxFault {
  const result = faultSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map(
    (issue) => `${formatPath(issue.path, '(root)')}: ${issue.message}`,
  );
  throw new InvalidFaultError(issues, { cause: result.error });
}

export class FaultState implements FaultController {
  private active: ActiveFault | undefined;

  set(fault: SandboxFaultInput): SandboxFault {
    const parsed = parseFault(fault);
    this.active = { fault: parsed, remaining: parsed.count ?? null };
    return parsed;
  }

  clear(): void {
    this.active = undefined;
  }

  current(): ActiveFault | undefined {
    return this.active === undefined ? undefined : structuredClone(this.active);
  }

  /** Returns the fault for the request that just arrived, counting it against `count`. */
  take(): SandboxFault | undefined {
    const active = this.active;
    if (active === undefined) return undefined;
    if (active.remaining !== null) {
      active.remaining -= 1;
      if (active.remaining === 0) this.active = undefined;
    }
    return active.fault;
  }
}
