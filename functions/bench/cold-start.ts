import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../testing/global-setup.ts';
import { type BenchRow, ms, percentile, ratio } from './stats.ts';

const BARE = `import { createServer } from 'node:http';
createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');`;

async function firstOk(url: string, deadline: number): Promise<void> {
  while (performance.now() < deadline) {
    try {
      const res = await fetch(url);
      await res.text();
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error(`${url} did not answer 200 in time`);
}

async function rss(pid: number): Promise<number> {
  const { readFileSync } = await import('node:fs');
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

/** Spawn → first 200, then idle RSS after the first request has been served. */
async function coldStart(
  script: string,
  env: Record<string, string>,
): Promise<{ ms: number; rssMb: number }> {
  const port = await freePort();
  const start = performance.now();
  const child = spawn(process.execPath, [script], {
    env: { PATH: process.env.PATH, ...env, PORT: String(port) },
    stdio: 'ignore',
  });
  try {
    await firstOk(`http://127.0.0.1:${port}/healthz`, start + 10_000);
    const elapsed = performance.now() - start;
    await new Promise((r) => setTimeout(r, 300));
    return { ms: elapsed, rssMb: await rss(child.pid!) };
  } finally {
    child.kill('SIGKILL');
  }
}

export async function benchColdStart(fnBundle: string, databaseUrl: string): Promise<BenchRow[]> {
  const bare = join(tmpdir(), `bare-node-${process.pid}.mjs`);
  writeFileSync(bare, BARE);
  const env = { DATABASE_URL: databaseUrl, JWT_SECRET: 'x'.repeat(32), LOG_LEVEL: 'warn' };
  const ours: { ms: number; rssMb: number }[] = [];
  const ref: { ms: number; rssMb: number }[] = [];
  for (let i = 0; i < 15; i++) {
    ours.push(await coldStart(fnBundle, env));
    ref.push(await coldStart(bare, env));
  }
  const med = (xs: number[]) => percentile(xs, 50);
  const [o, r] = [med(ours.map((x) => x.ms)), med(ref.map((x) => x.ms))];
  const [om, rm] = [med(ours.map((x) => x.rssMb)), med(ref.map((x) => x.rssMb))];
  return [
    {
      metric: 'cold start median: spawn → first 200 (list-tasks bundle)',
      ours: ms(o),
      reference: `${ms(r)} (bare node:http)`,
      ratio: ratio(o, r),
      target: '≤ 1.5× and ≤ 150 ms',
    },
    {
      metric: 'idle RSS median',
      ours: `${om.toFixed(1)} MB`,
      reference: `${rm.toFixed(1)} MB (bare node:http)`,
      ratio: ratio(om, rm),
      target: '≤ 1.5×',
    },
  ];
}
