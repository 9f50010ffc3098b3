/** Time kept free before the function's timeout for the last item and the checkpoint write, in milliseconds. */
export const DEADLINE_RESERVE_MS = 15_000;

/**
 * Computes a run's deadline from the function's remaining time: DEADLINE_RESERVE_MS before
 * the timeout, or a fifth of the remaining time when that is shorter, so a short timeout
 * still leaves most of it to the run.
 */
export function runDeadline(now: Date, remainingMs: number): Date {
  const reserve = Math.min(DEADLINE_RESERVE_MS, Math.floor(remainingMs / 5));
  return new Date(now.getTime() + remainingMs - reserve);
}
