/** The report's sections on lazy loading and on fleets (report.ts assembles the document). */
import { STEPS } from '@rotators/testkit';
import type { FleetBatch } from './fleet.ts';
import type { StepLoad } from './stepLoads.ts';
import { mean, median } from './stats.ts';

/** Issue #13: time per secret at the largest fleet within this fraction of the smallest's. */
export const FLEET_GROWTH_BUDGET = 0.2;

type Table = (header: string[], rows: string[][], align?: Array<'l' | 'r'>) => string;

/** One row per rotator: per step, the zip files it loaded and the driver packages among them. */
export function stepLoadsTable(rotators: Array<{ name: string; stepLoads?: StepLoad[] }>, table: Table): string {
  const cell = (loads: StepLoad[], step: string) => {
    const load = loads.find((l) => l.step === step);
    if (!load) return '–';
    return `${load.files.length} files; ${load.drivers.length === 0 ? 'no driver' : load.drivers.join(', ')}`;
  };
  const rows = rotators
    .filter((r) => r.stepLoads)
    .map((r) => [r.name, ...STEPS.map((step) => cell(r.stepLoads!, step))]);
  return table(['rotator', ...STEPS], rows);
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/**
 * Per batch: time per secret (mean and median) and its ratio to the first batch's mean; memory after
 * it: the resident set and the heap V8 holds as the function left them, then the heap still in use
 * after full collections, split into the program's objects (and their ratio to the first batch's:
 * issue #13, flat) and compiled code.
 */
export function fleetTable(batches: FleetBatch[], table: Table): string {
  const first = batches[0];
  const base = mean(first?.perSecretMs ?? []);
  const within = (ratio: number | undefined) =>
    ratio === undefined ? '–' : `${ratio.toFixed(2)}${ratio <= 1 + FLEET_GROWTH_BUDGET ? '' : ' (over)'}`;
  const ratioOnly = (ratio: number | undefined) => (ratio === undefined ? '–' : ratio.toFixed(2));
  const rows = batches.map((b) => {
    const perSecret = mean(b.perSecretMs);
    return [
      String(b.secrets),
      perSecret?.toFixed(1) ?? '–',
      median(b.perSecretMs)?.toFixed(1) ?? '–',
      within(base && perSecret ? perSecret / base : undefined),
      mib(b.rss),
      mib(b.heapTotal),
      mib(b.liveHeap),
      ratioOnly(first ? b.liveHeap / first.liveHeap : undefined),
      mib(b.liveHeap - b.liveCode),
      within(first ? (b.liveHeap - b.liveCode) / (first.liveHeap - first.liveCode) : undefined),
      mib(b.liveCode),
    ];
  });
  const vs = `vs ${first?.secrets ?? '–'} (≤ ${1 + FLEET_GROWTH_BUDGET})`;
  const vsOnly = `vs ${first?.secrets ?? '–'}`;
  return table(
    [
      'secrets',
      'ms per secret (mean)',
      'median',
      vs,
      'RSS (MiB)',
      'V8 heap held (MiB)',
      'heap in use after full GC (MiB)',
      vsOnly,
      'of which objects',
      vs,
      'of which code and bytecode',
    ],
    rows,
    ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
}
