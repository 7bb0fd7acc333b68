/** Benchmark arithmetic: percentiles over samples, and the table row every benchmark returns. */
export interface BenchRow {
  metric: string;
  ours: string;
  reference: string;
  ratio: string;
  target: string;
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)] ?? Number.NaN;
}

export const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} ms`;
export const ratio = (ours: number, ref: number) => (ref > 0 ? `${(ours / ref).toFixed(2)}×` : 'n/a');

export async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Runs two workloads interleaved (A, B, A, B …) so machine noise lands on both alike. */
export async function interleaved(
  iterations: number,
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
  warmup = 30,
): Promise<{ a: number[]; b: number[] }> {
  for (let i = 0; i < warmup; i++) {
    await a();
    await b();
  }
  const out = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < iterations; i++) {
    out.a.push(await timeIt(a));
    out.b.push(await timeIt(b));
  }
  return out;
}

export function printTable(rows: BenchRow[]): void {
  const header: BenchRow = {
    metric: 'metric',
    ours: 'ours',
    reference: 'reference',
    ratio: 'ratio',
    target: 'target',
  };
  const all = [header, ...rows];
  const keys = Object.keys(header) as (keyof BenchRow)[];
  const width = Object.fromEntries(keys.map((k) => [k, Math.max(...all.map((r) => r[k].length))]));
  const line = (r: BenchRow) => `| ${keys.map((k) => r[k].padEnd(width[k] ?? 0)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${keys.map((k) => '-'.repeat((width[k] ?? 0) + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}
