/** The spread of a set of samples: median, quartiles and tail percentiles, in the samples' unit. */
export interface Summary {
  n: number;
  mean: number;
  p50: number;
  p99: number;
  q1: number;
  q3: number;
  min: number;
  max: number;
}

/**
 * Summarizes samples with nearest-rank percentiles, so every figure reported is a value
 * that was actually measured. Throws on an empty list, which would otherwise pass as 0.
 */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('summarize needs at least one sample');
  const sorted = [...samples].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    n: sorted.length,
    mean: total / sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    q1: percentile(sorted, 25),
    q3: percentile(sorted, 75),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
  };
}

/** Nearest-rank percentile of samples sorted in ascending order. */
export function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Median of a list; a shorthand for the paired ratios. */
export function median(samples: readonly number[]): number {
  return summarize(samples).p50;
}
