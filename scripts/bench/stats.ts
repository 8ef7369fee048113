/** Median, p95 and max of a set of timings, in milliseconds. */
export interface Summary {
  n: number;
  median: number;
  p95: number;
  max: number;
}

export function summarize(samples: readonly number[]): Summary | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  // Nearest rank: the smallest sample that at least 95% of the samples do not exceed.
  const p95 = sorted[Math.ceil(0.95 * sorted.length) - 1]!;
  return { n: sorted.length, median, p95, max: sorted.at(-1)! };
}

export function median(samples: readonly number[]): number | undefined {
  return summarize(samples)?.median;
}

export function mean(samples: readonly number[]): number | undefined {
  return samples.length === 0 ? undefined : samples.reduce((sum, x) => sum + x, 0) / samples.length;
}
