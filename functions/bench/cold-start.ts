// Cold start: what a scaled-to-zero function costs on every wake-up. Each HTTP function's bundle in dist/
// (the catalog's list, kind 'http') is spawned and timed to its first 200 on /healthz, with its idle RSS
// after that, beside bare node:http spawned the same way, interleaved in the same run.
import { statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpFunctions } from '../catalog.ts';
import { freePort } from '../testing/global-setup.ts';
import { coldStartWithDaprd, daprdBinary } from './cold-start-daprd.ts';
import {
  firstOk,
  killAndWait,
  mb,
  medianOf,
  rssMb,
  type Sample,
  SETTLE_MS,
  spawnNode,
} from './cold-start-process.ts';
import { type BenchRow, ms, ratio } from './stats.ts';

const BARE = `import { createServer } from 'node:http';
createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');`;

/** Spawn → first 200, then idle RSS after the first request has been served. */
async function coldStart(script: string, env: Record<string, string>): Promise<Sample> {
  const port = await freePort();
  const start = performance.now();
  const child = spawnNode(script, env, port);
  try {
    await firstOk(`http://127.0.0.1:${port}/healthz`, start + 10_000);
    const elapsed = performance.now() - start;
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    return { ms: elapsed, rssMb: rssMb(child.pid) };
  } finally {
    await killAndWait(child);
  }
}

export interface ColdStartOptions {
  /** Spawns per function (and as many bare ones beside each); default 7. */
  iterations?: number;
  /** Also time list-tasks with a daprd sidecar when daprd is cached (default true). */
  daprd?: boolean;
}

interface FunctionResult {
  name: string;
  kb: number;
  samples: Sample[];
  error?: string;
}

export async function benchColdStart(
  distDir: string,
  databaseUrl: string,
  opts: ColdStartOptions = {},
): Promise<BenchRow[]> {
  const iterations = opts.iterations ?? 7;
  const bare = join(tmpdir(), `bare-node-${process.pid}.mjs`);
  writeFileSync(bare, BARE);
  const env = { DATABASE_URL: databaseUrl, JWT_SECRET: 'x'.repeat(32), LOG_LEVEL: 'warn' };
  const functions: FunctionResult[] = httpFunctions().map((f) => ({
    name: f.name,
    kb: statSync(join(distDir, `${f.name}.js`)).size / 1024,
    samples: [],
  }));
  const ref: Sample[] = [];
  // Round by round (every function, each followed by a bare node), so a noisy moment lands on all alike.
  for (let i = 0; i < iterations; i++) {
    for (const f of functions) {
      if (f.error) continue;
      try {
        f.samples.push(await coldStart(join(distDir, `${f.name}.js`), env));
      } catch (e) {
        f.error = (e as Error).message;
      }
      ref.push(await coldStart(bare, env));
    }
  }
  const r = medianOf(ref);
  const rows = functions.map((f): BenchRow => {
    const o = medianOf(f.samples);
    return {
      metric: `  ${f.name} (${Math.round(f.kb)} KB)`,
      ours: f.error ? `failed: ${f.error}` : `${ms(o.ms)} · ${mb(o.rssMb)}`,
      reference: `${ms(r.ms)} · ${mb(r.rssMb)}`,
      ratio: f.error ? 'n/a' : `${ratio(o.ms, r.ms)} · ${ratio(o.rssMb, r.rssMb)}`,
      target: '≤ 1.5× · ≤ 1.5×',
    };
  });
  const measured = functions.filter((f) => !f.error).map((f) => medianOf(f.samples));
  const worst = {
    ms: Math.max(...measured.map((m) => m.ms)),
    rssMb: Math.max(...measured.map((m) => m.rssMb)),
  };
  const out: BenchRow[] = [
    {
      metric: `cold start median, spawn → first 200 · idle RSS (${functions.length} HTTP functions, n=${iterations} each; worst)`,
      ours: `${ms(worst.ms)} · ${mb(worst.rssMb)}`,
      reference: `${ms(r.ms)} · ${mb(r.rssMb)} (bare node:http, n=${ref.length})`,
      ratio: `${ratio(worst.ms, r.ms)} · ${ratio(worst.rssMb, r.rssMb)}`,
      target: '≤ 1.5× · ≤ 1.5×, ≤ 150 ms',
    },
    ...rows,
  ];
  if (opts.daprd === false) return out;
  return [...out, ...(await daprdRows(distDir, bare, env, iterations))];
}

/** list-tasks with its daprd beside it, when daprd is cached (never built here: that takes tens of minutes). */
async function daprdRows(
  distDir: string,
  bare: string,
  env: Record<string, string>,
  iterations: number,
): Promise<BenchRow[]> {
  const daprd = daprdBinary();
  const metric = 'cold start with daprd: spawn both → first 200 via service invocation (list-tasks)';
  if (!daprd.path) {
    return [{ metric, ours: `not measured: ${daprd.why}`, reference: '—', ratio: 'n/a', target: '≤ 1.5×' }];
  }
  const ours: Sample[] = [];
  const ref: Sample[] = [];
  for (let i = 0; i < iterations; i++) {
    ours.push(await coldStartWithDaprd(daprd.path, join(distDir, 'list-tasks.js'), 'list-tasks', env));
    ref.push(await coldStartWithDaprd(daprd.path, bare, 'list-tasks', env));
  }
  const [o, r] = [medianOf(ours), medianOf(ref)];
  return [
    {
      metric: `${metric}, n=${iterations} · RSS of both`,
      ours: `${ms(o.ms)} · ${mb(o.rssMb)}`,
      reference: `${ms(r.ms)} · ${mb(r.rssMb)} (daprd + bare node:http)`,
      ratio: `${ratio(o.ms, r.ms)} · ${ratio(o.rssMb, r.rssMb)}`,
      target: '≤ 1.5× · ≤ 1.5×',
    },
  ];
}
