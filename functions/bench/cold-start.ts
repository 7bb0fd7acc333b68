// Cold start: what a scaled-to-zero function costs on every wake-up. Each HTTP function's bundle in dist/
// (the catalog's list, kind 'http') is spawned and timed to its first 200 on /healthz, with its idle RSS
// after that, beside bare node:http spawned the same way, interleaved in the same run.
import { statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { usesDapr } from '../../platform/derive/model.ts';
import { catalog, httpFunctions } from '../catalog.ts';
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

/** The app token daprd would send (event functions require one of at least 16 characters). */
const APP_TOKEN = 'bench-app-token-0123456789';

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
  // daprd takes a second or two to start: fewer rounds keep the section short.
  return [...out, ...(await daprdRows(distDir, bare, env, Math.min(iterations, 5)))];
}

/**
 * Functions started with a daprd beside them, when daprd is cached (never built here: that takes tens of
 * minutes). list-tasks, as issue 11 asks — though the chart gives HTTP functions no sidecar (derive's
 * usesDapr), so theirs is the wake-up above — and the first event function, whose pods do get one: that
 * is the real wake-up with a sidecar (its Kafka subscription aside: no broker here).
 */
async function daprdRows(
  distDir: string,
  bare: string,
  env: Record<string, string>,
  iterations: number,
): Promise<BenchRow[]> {
  const daprd = daprdBinary();
  const metric = (name: string) => `cold start with daprd: spawn both → first 200 via daprd (${name})`;
  const specs = [
    catalog.find((f) => f.name === 'list-tasks'),
    catalog.find((f) => f.kind === 'event' && usesDapr(f)),
  ].filter((f) => f !== undefined);
  const names = specs.map((f) => f.name);
  if (!daprd.path) {
    return [
      {
        metric: metric(names.join(', ')),
        ours: `not measured: ${daprd.why}`,
        reference: '—',
        ratio: 'n/a',
        target: '≤ 1.5×',
      },
    ];
  }
  const rows: BenchRow[] = [];
  for (const spec of specs) {
    const name = spec.name;
    const sidecarNote = usesDapr(spec) ? 'has one in the chart' : 'none in the chart';
    // Event functions refuse to start without their sidecar's port and the app token daprd sends.
    const appEnv = (daprHttpPort: number) => ({
      ...env,
      DAPR_HTTP_PORT: String(daprHttpPort),
      APP_API_TOKEN: APP_TOKEN,
    });
    const ours: Sample[] = [];
    const ref: Sample[] = [];
    for (let i = 0; i < iterations; i++) {
      ours.push(await coldStartWithDaprd(daprd.path, join(distDir, `${name}.js`), name, appEnv));
      ref.push(await coldStartWithDaprd(daprd.path, bare, name, appEnv));
    }
    const [o, r] = [medianOf(ours), medianOf(ref)];
    rows.push({
      metric: `${metric(name)}, n=${iterations}; RSS of both (${sidecarNote})`,
      ours: `${ms(o.ms)} · ${mb(o.rssMb)}`,
      reference: `${ms(r.ms)} · ${mb(r.rssMb)} (daprd + bare node:http)`,
      ratio: `${ratio(o.ms, r.ms)} · ${ratio(o.rssMb, r.rssMb)}`,
      target: '≤ 1.5× · ≤ 1.5×',
    });
  }
  return rows;
}
