// Shared by the benchmark modules: the median of repeated timings, rounded to 0.1 ms.
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

export function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
