/**
 * One reported number of a measurement, as written to bench/results.json: the value and
 * its unit, its spread, the baseline it was paired with, their ratio and the target.
 */
export interface Figure {
  /** Stable key, such as "ingest.generic.20kb.p99". */
  id: string;
  /** The measurement this figure belongs to, such as "ingest cost". */
  measurement: string;
  /** What was measured, in words. */
  label: string;
  value: number;
  unit: string;
  /** Median and spread of the samples behind `value`, in `unit`, when it has samples. */
  spread?: Spread;
  /** The simplest alternative, measured in the same run. */
  baseline?: { label: string; value: number; unit: string };
  /** `value` over the baseline's value, or the median of paired ratios (see `ratioSpread`). */
  ratio?: number;
  /** Quartiles of the paired ratios, when the ratio comes from pairs. */
  ratioSpread?: { q1: number; q3: number; n: number };
  target?: Target;
  /** Whether the target is met; absent for figures that are only reported. */
  pass?: boolean;
  note?: string;
}

export interface Spread {
  n: number;
  p50: number;
  p99?: number;
  q1?: number;
  q3?: number;
}

/** A limit on a figure's value or on its ratio to the baseline. */
export interface Target {
  on: 'value' | 'ratio';
  comparison: '<=' | '>=' | '<';
  limit: number;
  /** What meeting it means for a user, in a sentence. */
  meaning: string;
}

/** Sets `pass` from the target, and returns the figure. */
export function judged(figure: Figure): Figure {
  const { target } = figure;
  if (target === undefined) return figure;
  const actual = target.on === 'value' ? figure.value : figure.ratio;
  if (actual === undefined || Number.isNaN(actual)) {
    throw new Error(`Figure ${figure.id} has a ${target.on} target but no ${target.on}.`);
  }
  const pass =
    target.comparison === '<='
      ? actual <= target.limit
      : target.comparison === '>='
        ? actual >= target.limit
        : actual < target.limit;
  return { ...figure, pass };
}

/** Formats a target for the table, such as "ratio ≤ 3" or "≤ 2 ms". */
export function describeTarget(figure: Figure): string {
  const { target } = figure;
  if (target === undefined) return 'reported';
  const sign = { '<=': '≤', '>=': '≥', '<': '<' }[target.comparison];
  return target.on === 'ratio'
    ? `ratio ${sign} ${target.limit}`
    : `${sign} ${formatNumber(target.limit)} ${figure.unit}`;
}

/** Formats a number with about three significant digits, without exponent notation. */
export function formatNumber(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  if (magnitude === 0) return '0';
  return value.toPrecision(3);
}
