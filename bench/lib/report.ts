import { cpus, loadavg, totalmem } from 'node:os';
import { describeTarget, formatNumber, type Figure } from './figure.ts';

/** The machine a run measured, as bench/results.json and BENCHMARKS.md record it. */
export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  /** 1-, 5- and 15-minute load averages when the run started and ended. */
  loadAtStart: number[];
  loadAtEnd?: number[];
}

export function describeMachine(): Machine {
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAtStart: loadavg().map((load) => Math.round(load * 100) / 100),
  };
}

function spreadText(figure: Figure): string {
  const { spread } = figure;
  if (spread === undefined) return '';
  if (spread.p99 !== undefined) return `p99 ${formatNumber(spread.p99)}, n=${spread.n}`;
  if (spread.q1 !== undefined && spread.q3 !== undefined) {
    return `IQR ${formatNumber(spread.q1)}–${formatNumber(spread.q3)}, n=${spread.n}`;
  }
  return `n=${spread.n}`;
}

function ratioText(figure: Figure): string {
  if (figure.ratio === undefined) return '';
  const spread = figure.ratioSpread;
  return spread === undefined
    ? formatNumber(figure.ratio)
    : `${formatNumber(figure.ratio)} (IQR ${formatNumber(spread.q1)}–${formatNumber(spread.q3)})`;
}

function resultText(figure: Figure): string {
  if (figure.pass === undefined) return '';
  return figure.pass ? 'pass' : 'FAIL';
}

/** Formats figures as a Markdown table: one row a figure, grouped by measurement. */
export function formatTable(figures: Figure[]): string {
  const rows = [
    ['measurement', 'figure', 'value', 'spread', 'baseline', 'ratio', 'target', 'result'],
    ...figures.map((figure) => [
      figure.measurement,
      figure.label,
      `${formatNumber(figure.value)} ${figure.unit}`,
      spreadText(figure),
      figure.baseline === undefined
        ? ''
        : `${formatNumber(figure.baseline.value)} ${figure.baseline.unit}`,
      ratioText(figure),
      describeTarget(figure),
      resultText(figure),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) =>
    `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [
    line(rows[0]!),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.slice(1).map(line),
  ].join('\n');
}
