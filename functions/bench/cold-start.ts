// Cold start: what a scaled-to-zero function costs on every wake-up. Each HTTP function (the catalog's
// list, kind 'http') is spawned the way its image starts it — the images' Node.js (CONTAINER_NODE_VERSION)
// from the function's V8 start-up snapshot — and timed to its first 200 on /healthz, with its idle RSS
// after that, beside bare node:http on the same node, interleaved in the same run. The plain bundle
// (dist/<name>.js, what the images ran before the snapshot) is timed beside them for comparison.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { usesDapr } from '../../platform/derive/model.ts';
import { buildSnapshotBlob, ensureContainerNode } from '../../platform/engines/container-node.ts';
import { makeTempDir } from '../../platform/engines/proc.ts';
import { catalog, httpFunctions } from '../catalog.ts';
import { freePort } from '../testing/global-setup.ts';
import { coldStartWithDaprd, daprdBinary } from './cold-start-daprd.ts';
import {
  firstOk,
  killAndWait,
  mb,
  medianOf,
  type NodeProgram,
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
async function coldStart(program: NodeProgram, env: Record<string, string>): Promise<Sample> {
  const port = await freePort();
  const start = performance.now();
  const child = spawnNode(program, env, port);
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
  /** Also time list-tasks and every event function with a daprd sidecar when daprd is cached (default true). */
  daprd?: boolean;
}

interface FunctionResult {
  name: string;
  kb: number;
  blobMb: number;
  snapshot: NodeProgram;
  bundle: NodeProgram;
  samples: Sample[];
  bundleSamples: Sample[];
  error?: string;
}

/**
 * `name` started from its snapshot blob, built into `dir` with the images' node as the Dockerfile does
 * (once: the daprd rows reuse list-tasks' blob).
 */
async function fromSnapshot(node: string, distDir: string, dir: string, name: string) {
  const blob = join(dir, `${name}.blob`);
  if (!existsSync(blob)) await buildSnapshotBlob(node, join(distDir, `${name}.snapshot.cjs`), blob);
  return { blob, program: { node, args: ['--snapshot-blob', blob] } };
}

/** Each HTTP function, from its snapshot and from its plain bundle. */
async function buildBlobs(node: string, distDir: string, dir: string): Promise<FunctionResult[]> {
  const out: FunctionResult[] = [];
  for (const f of httpFunctions()) {
    const { blob, program } = await fromSnapshot(node, distDir, dir, f.name);
    out.push({
      name: f.name,
      kb: statSync(join(distDir, `${f.name}.js`)).size / 1024,
      blobMb: statSync(blob).size / 2 ** 20,
      snapshot: program,
      bundle: { node, args: [join(distDir, `${f.name}.js`)] },
      samples: [],
      bundleSamples: [],
    });
  }
  return out;
}

export async function benchColdStart(
  distDir: string,
  databaseUrl: string,
  opts: ColdStartOptions = {},
): Promise<BenchRow[]> {
  const iterations = opts.iterations ?? 7;
  const node = await ensureContainerNode();
  const dir = makeTempDir('bench-cold-start');
  const bare: NodeProgram = { node, args: [join(dir, 'bare-node.mjs')] };
  writeFileSync(bare.args[0] as string, BARE);
  const env = { DATABASE_URL: databaseUrl, JWT_SECRET: 'x'.repeat(32), LOG_LEVEL: 'warn' };
  const functions = await buildBlobs(node, distDir, dir);
  const ref: Sample[] = [];
  // Round by round (every function from its snapshot, then bare node, then its plain bundle), so a noisy
  // moment lands on all alike.
  for (let i = 0; i < iterations; i++) {
    for (const f of functions) {
      if (f.error) continue;
      try {
        f.samples.push(await coldStart(f.snapshot, env));
        ref.push(await coldStart(bare, env));
        f.bundleSamples.push(await coldStart(f.bundle, env));
      } catch (e) {
        f.error = (e as Error).message;
      }
    }
  }
  const r = medianOf(ref);
  const cell = (o: Sample) => `${ms(o.ms)} · ${mb(o.rssMb)}`;
  const vs = (o: Sample) => `${ratio(o.ms, r.ms)} · ${ratio(o.rssMb, r.rssMb)}`;
  const rows = functions.map((f): BenchRow => {
    const o = medianOf(f.samples);
    const b = medianOf(f.bundleSamples);
    return {
      metric: `  ${f.name} (snapshot ${f.blobMb.toFixed(1)} MB; plain bundle ${Math.round(f.kb)} KB: ${cell(b)}, ${vs(b)})`,
      ours: f.error ? `failed: ${f.error}` : cell(o),
      reference: cell(r),
      ratio: f.error ? 'n/a' : vs(o),
      target: '≤ 1.5× · ≤ 1.5×',
    };
  });
  const measured = functions.filter((f) => !f.error);
  const worst = (pick: (f: FunctionResult) => Sample[]) => ({
    ms: Math.max(...measured.map((f) => medianOf(pick(f)).ms)),
    rssMb: Math.max(...measured.map((f) => medianOf(pick(f)).rssMb)),
  });
  const [snap, plain] = [worst((f) => f.samples), worst((f) => f.bundleSamples)];
  return [
    {
      metric: `cold start median, spawn → first 200 · idle RSS, from the start-up snapshot as the images start (${functions.length} HTTP functions, n=${iterations} each; worst)`,
      ours: cell(snap),
      reference: `${cell(r)} (bare node:http, n=${ref.length})`,
      ratio: vs(snap),
      target: '≤ 1.5× · ≤ 1.5×, ≤ 150 ms',
    },
    {
      metric: '  the same from the plain bundles (dist/<name>.js; worst)',
      ours: cell(plain),
      reference: cell(r),
      ratio: vs(plain),
      target: '—',
    },
    ...rows,
    ...(opts.daprd === false
      ? []
      : await daprdRows({ node, distDir, dir, bare, env, iterations: Math.min(iterations, 5) })),
  ];
}

/**
 * Functions started with a daprd beside them, when daprd is cached (never built here: that takes tens of
 * minutes). list-tasks, as issue 11 asks — though the chart gives HTTP functions no sidecar (derive's
 * usesDapr), so theirs is the wake-up above — and every event function, whose pods do get one:
 * theirs is the real wake-up with a sidecar (their Kafka subscriptions aside: no broker here).
 */
async function daprdRows(o: {
  node: string;
  distDir: string;
  /** Where the blobs go. */
  dir: string;
  bare: NodeProgram;
  env: Record<string, string>;
  iterations: number;
}): Promise<BenchRow[]> {
  const { node, distDir, dir, bare, env, iterations } = o;
  const daprd = daprdBinary();
  const metric = (name: string) => `cold start with daprd: spawn both → first 200 via daprd (${name})`;
  const specs = [
    catalog.find((f) => f.name === 'list-tasks'),
    // The clock has one too, but it is always on: it never wakes from zero.
    ...catalog.filter((f) => f.kind === 'event' && usesDapr(f)),
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
    const { program } = await fromSnapshot(node, distDir, dir, name);
    const ours: Sample[] = [];
    const ref: Sample[] = [];
    for (let i = 0; i < iterations; i++) {
      ours.push(await coldStartWithDaprd(daprd.path, program, name, appEnv));
      ref.push(await coldStartWithDaprd(daprd.path, bare, name, appEnv));
    }
    const [a, r] = [medianOf(ours), medianOf(ref)];
    rows.push({
      metric: `${metric(name)}, from its snapshot, n=${iterations}; RSS of both (${sidecarNote})`,
      ours: `${ms(a.ms)} · ${mb(a.rssMb)}`,
      reference: `${ms(r.ms)} · ${mb(r.rssMb)} (daprd + bare node:http)`,
      ratio: `${ratio(a.ms, r.ms)} · ${ratio(a.rssMb, r.rssMb)}`,
      target: '≤ 1.5× · ≤ 1.5×',
    });
  }
  return rows;
}
