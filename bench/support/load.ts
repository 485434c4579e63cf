/** The benchmarks' load loops and their figures. */

/** The p-th percentile of `values` (milliseconds), NaN when there are none. */
export const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

export interface Load {
  perSecond: number;
  /** Per operation, in milliseconds. */
  latencies: number[];
}

/** The milliseconds `work` takes. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** Runs `total` operations over `concurrency` loops; each returns the milliseconds it wants counted. */
export async function loadCounted(total: number, concurrency: number, op: (i: number) => Promise<number>): Promise<Load> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) latencies.push(await op(i));
    }),
  );
  return { perSecond: total / ((performance.now() - started) / 1000), latencies };
}

/** Runs `total` operations over `concurrency` loops, each timed whole. */
export const load = (total: number, concurrency: number, op: (i: number) => Promise<void>): Promise<Load> =>
  loadCounted(total, concurrency, (i) => timed(() => op(i)));

/** `concurrency` loops calling `op` until `ms` have passed, each call timed whole. */
export async function loadFor(ms: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<Load> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const deadline = started + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) latencies.push(await timed(() => op(next++)));
    }),
  );
  return { perSecond: latencies.length / ((performance.now() - started) / 1000), latencies };
}

/** A row of a step's figures for console.table: ops/s, p50 and p99 in milliseconds, and `extra` columns. */
export const row = (step: string, result: Load, extra: Record<string, string | number> = {}): Record<string, string | number> => ({
  step,
  'ops/s': Math.round(result.perSecond),
  'p50 ms': +percentile(result.latencies, 50).toFixed(2),
  'p99 ms': +percentile(result.latencies, 99).toFixed(2),
  ...extra,
});
