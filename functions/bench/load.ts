// HTTP load, embedded mode: `npm start`'s process (dist/local.js, the web app left out) on its own, with
// `users` concurrent users. The load comes from this process over loopback with keep-alive connections
// (one per user), as browsers would hold. Three measurements: a closed loop with no pause (throughput),
// one with think time (latency as people use it), and capacity — the highest open-loop request rate at
// which every request kind keeps p99 ≤ 100 ms — beside the capacity of the same SQL straight through `pg`.
import { issueTokenForNewSession } from '@todo/core/accounts/sessions';
import { loadConfig } from '@todo/core/runtime/config';
import { sleep } from '@todo/core/runtime/time';
import { sql } from 'kysely';
import type { LocalStack } from '../local/stack.ts';
import { startLocalProcess } from '../testing/local-process.ts';
import { CapacitySearch, openLoopStep, type StepOptions, type StepResult } from './capacity.ts';
import { hostCpuMs, measureCpu, ownCpuMs, processCpuMs, processTreeCpuMs } from './cpu.ts';
import { httpMix } from './load-http.ts';
import { type MixClient, type RequestKind, Tally, timed } from './load-mix.ts';
import { rawMix } from './load-raw.ts';
import { flushPageCache, pageCacheNow } from './page-cache.ts';
import { tcpCounter, watchSpans } from './span-watch.ts';
import { type BenchRow, ms, percentile, ratio } from './stats.ts';

export interface LoadOptions {
  users?: number;
  durationMs?: number;
  /** Share of sessions that write (create, then complete, a task: two requests). */
  writeShare?: number;
  /**
   * How long the no-pause pass runs before it counts (default 10 s; BENCH_LOAD_WARMUP_SECONDS): the server
   * was just started, and 1,000 users arrive at once.
   */
  warmupMs?: number;
  /** Mean pause between a user's actions in the second pass (default 5 s). */
  thinkMs?: number;
  /** Length of one capacity step (default 8 s; BENCH_CAPACITY_STEP_SECONDS). 0 skips the capacity search. */
  capacityStepMs?: number;
  /** Steps each capacity search may take (default 10; BENCH_CAPACITY_STEPS). */
  capacitySteps?: number;
  /** The postmaster's pid, to count Postgres' CPU per request (unknown for BENCH_DATABASE_URL). */
  postgresPid?: number;
}

/** The latency bound capacity is measured at, per request kind (issue 11). */
const P99_BOUND_MS = 100;

/**
 * Every user's loop at once for `warmupMs + durationMs`: a session is a read (list), or a write (create,
 * then complete what was created); each request is timed on its own, and counted when it started after
 * the warm-up (those before go to `warmup`). With think time users start spread over one mean pause and
 * then pause exponentially between sessions.
 */
async function closedLoop(
  client: MixClient,
  users: number,
  durationMs: number,
  writeShare: number,
  thinkMs: number,
  warmupMs = 0,
): Promise<{ tally: Tally; seconds: number; warmup: Tally; slowBySpan: number[] }> {
  const tally = new Tally();
  const warmup = new Tally();
  const slowBySpan: number[] = [];
  const measuredFrom = performance.now() + warmupMs;
  const until = measuredFrom + durationMs;
  // A pause never runs past the pass's end: the pass is over then, and a last pause of up to 10 × thinkMs
  // counted in its seconds made its requests/s look up to 40 % lower than the rate it offered.
  const pause = () =>
    thinkMs > 0
      ? sleep(Math.min(-thinkMs * Math.log(1 - Math.random()), 10 * thinkMs, until - performance.now()))
      : null;
  const request = async <T>(kind: RequestKind, run: () => Promise<T>) => {
    const started = performance.now();
    const { outcome, value } = await timed(kind, started, run);
    (started < measuredFrom ? warmup : tally).add(outcome);
    if (started >= measuredFrom && outcome.ms > P99_BOUND_MS) {
      const span = Math.floor((started - measuredFrom) / SLOW_SPAN_MS);
      slowBySpan[span] = (slowBySpan[span] ?? 0) + 1;
    }
    return value;
  };
  const userLoop = async (user: number) => {
    if (thinkMs > 0) await sleep(Math.random() * thinkMs);
    while (performance.now() < until) {
      if (Math.random() < writeShare) {
        const id = await request('create', () => client.create(user));
        if (id) await request('complete', () => client.complete(user, id));
      } else {
        await request('list', () => client.list(user));
      }
      await pause();
    }
  };
  await Promise.all(Array.from({ length: users }, (_, user) => userLoop(user)));
  return { tally, seconds: (performance.now() - measuredFrom) / 1000, warmup, slowBySpan };
}

/** The span closedLoop counts requests over the bound in: when in a pass its tail happened. */
const SLOW_SPAN_MS = 5000;

/** When a pass's requests over the bound started, as a log line: how many in each SLOW_SPAN_MS. */
const describeSlow = (pass: string, p: { slowBySpan: number[]; seconds: number }) =>
  `load: ${pass}: requests over ${P99_BOUND_MS} ms started in each ${SLOW_SPAN_MS / 1000} s: ${Array.from(
    { length: Math.ceil((p.seconds * 1000) / SLOW_SPAN_MS) },
    (_, i) => p.slowBySpan[i] ?? 0,
  ).join(' ')}`;

/**
 * Runs a paced pass and logs when its slow requests started (describeSlow) and, in the same spans, the
 * CPU each process used (% of one core: `cpu`'s meters), the page cache's peak dirty + writeback MB, and
 * the checkpoints begun meanwhile: where a burst of slow requests came from.
 */
async function watchedPass<P extends { slowBySpan: number[]; seconds: number }>(
  stack: LocalStack,
  name: string,
  cpu: Record<string, () => number>,
  run: () => Promise<P>,
): Promise<P> {
  const before = await checkpointsSoFar(stack);
  const stop = watchSpans(SLOW_SPAN_MS, {
    peaks: { 'dirty + writeback MB': () => totalDirtyMb(pageCacheNow()) },
    rates: {
      ...Object.fromEntries(Object.entries(cpu).map(([who, read]) => [`${who} CPU %`, read])),
      // The host's: time the hypervisor gave our 2 CPUs to others, and idle time waiting on the disk.
      'steal %': () => hostCpuMs('steal'),
      'iowait %': () => hostCpuMs('iowait'),
    },
    counts: {
      'TCP SYN retransmits': () => tcpCounter('TCPSynRetrans'),
      'listen queue overflows': () => tcpCounter('ListenOverflows'),
    },
  });
  const result = await run();
  const spans = stop();
  const during = (await checkpointsSoFar(stack)) - before;
  const perSpan = Object.entries(spans).map(([what, values]) => `${what}: ${values.join(' ')}`);
  console.log(
    `${describeSlow(name, result)}; per span, ${perSpan.join('; ')}; checkpoints started: ${during}`,
  );
  return result;
}

const totalDirtyMb = (p: { dirtyMb: number; writebackMb: number }) => p.dirtyMb + p.writebackMb;

/** Checkpoints Postgres has started so far (timed or requested; pg_stat_checkpointer, Postgres 17+). */
async function checkpointsSoFar(stack: LocalStack): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select (num_timed + num_requested)::int as n from pg_stat_checkpointer`.execute(stack.db);
  return rows[0]?.n ?? 0;
}

/** p50 / p99 of some latencies, or a dash when there were none (a short pass may have no completes). */
const p50p99 = (xs: number[]) => (xs.length ? `${ms(percentile(xs, 50))} / ${ms(percentile(xs, 99))}` : '—');
/** A step's p99s as whole milliseconds: list · create · complete. */
const p99s = (s: StepResult) =>
  `${[s.p99.list, s.p99.create, s.p99.complete].map((v) => (Number.isNaN(v) ? '—' : Math.round(v))).join(' · ')} ms`;

/** A pass's requests and errors, as a cell. */
const describePass = ({ tally, seconds }: { tally: Tally; seconds: number }) =>
  `${tally.requests.toLocaleString('en')} requests (${Math.round(tally.requests / seconds)}/s), ${tally.errorCount} errors${tally.errorCount ? ` (${tally.describeErrors()})` : ''}`;

/**
 * A pass's rows: ours, and beside it the same users' pass over the same SQL straight through pg when
 * `raw` ran (the think-time pass), which says whether the target can be met on this machine at all.
 */
function passRows(
  ours: { tally: Tally; seconds: number; retried: number },
  label: string,
  readTarget: string,
  raw?: { tally: Tally; seconds: number },
): BenchRow[] {
  const resent = ours.retried ? `; ${ours.retried} resent on a stale keep-alive connection` : '';
  const writes = (t: Tally) => `${p50p99(t.ms.create)} · ${p50p99(t.ms.complete)}`;
  const p99Ratio = (kinds: RequestKind[]) => {
    if (!raw) return 'n/a';
    const worst = (t: Tally) => Math.max(...kinds.map((k) => (t.ms[k].length ? percentile(t.ms[k], 99) : 0)));
    return `${ratio(worst(ours.tally), worst(raw.tally))} p99`;
  };
  return [
    {
      metric: `HTTP load (${label}): requests, errors`,
      ours: `${describePass(ours)}${resent}`,
      reference: raw ? `${describePass(raw)} (same SQL via pg)` : '—',
      ratio: 'n/a',
      target: '0 errors',
    },
    {
      metric: '  read (list + search + sort) p50 / p99',
      ours: p50p99(ours.tally.ms.list),
      reference: raw ? p50p99(raw.tally.ms.list) : '—',
      ratio: p99Ratio(['list']),
      target: readTarget,
    },
    {
      metric: '  write p50 / p99 per request: create · complete',
      ours: writes(ours.tally),
      reference: raw ? writes(raw.tally) : '—',
      ratio: p99Ratio(['create', 'complete']),
      target: `p99 ≤ ${P99_BOUND_MS} ms`,
    },
  ];
}

/** The requests a pass did not count, as a log line. */
const describeWarmup = (t: Tally, warmupMs: number) =>
  `load: the no-pause pass's first ${warmupMs / 1000} s, not counted: ${t.requests} requests, ${t.errorCount} errors, p50 / p99 read ${p50p99(t.ms.list)}, create ${p50p99(t.ms.create)}, complete ${p50p99(t.ms.complete)}`;

/** What outboxDrained() found, as a log line. */
const describeDrain = (pass: string, drainedMs: number | undefined) =>
  drainedMs === undefined
    ? `load: the outbox still had unsent events 300 s after ${pass}; going on anyway`
    : `load: ${pass}'s events were all relayed ${(drainedMs / 1000).toFixed(1)} s after it ended`;

/**
 * Waits (at most `timeoutMs`) until the server has relayed every event queued since `since` (the passes),
 * so the capacity search does not start while ours is still delivering the last pass's events. Returns
 * how long that took (ms), or undefined when it had not finished.
 */
async function outboxDrained(stack: LocalStack, since: Date, timeoutMs: number): Promise<number | undefined> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from outbox where sent_at is null and created_at >= ${since}`.execute(
      stack.db,
    );
    if (!rows[0]?.n) return performance.now() - start;
    await sleep(250);
  }
  return undefined;
}

/**
 * Before each paced pass, the same settled state: VACUUM (ANALYZE) of the whole database, a CHECKPOINT,
 * and sync(1). Without the vacuum the no-pause pass's dead rows (its tasks', outbox's and audit log's)
 * brought autovacuum into ours' paced pass and never into the reference's, which runs after ours. The
 * checkpoint and sync(1) write out what the vacuum dirtied (the first one after the 1M-task seed took
 * 29 s), so the kernel does not write it back inside the pass with the commits' fsyncs queued behind it.
 * That was a suspect for the paced passes' bursts, not the cause: a burst came with 1 MB dirty (README,
 * the seventh round). It costs under a second and leaves both passes alike. Logs how long each took.
 */
async function settleBetweenPasses(stack: LocalStack, before: string): Promise<void> {
  const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;
  let start = performance.now();
  await sql`vacuum (analyze)`.execute(stack.db);
  const vacuumed = seconds(start);
  start = performance.now();
  await sql`checkpoint`.execute(stack.db);
  const checkpointed = seconds(start);
  start = performance.now();
  const dirtyMb = await flushPageCache();
  console.log(
    `load: before ${before}: vacuum (analyze) ${vacuumed}, checkpoint ${checkpointed}, sync of ${Math.round(dirtyMb)} MB dirty ${seconds(start)}`,
  );
}

const describeStep = (s: StepResult) =>
  `${s.rate} req/s offered, ${Math.round(s.achieved)} answered, p99 list · create · complete ${p99s(s)}${s.ok ? '' : ` ✗ ${s.why}`}`;

/**
 * Both capacity searches, their steps interleaved (ours, raw, ours, raw …) so the machine's noise lands
 * on both alike. Each starts at half the throughput its closed loop reached (capacity at a latency bound
 * lies below that ceiling), then doubles or halves and bisects.
 */
async function searchCapacities(
  sides: { name: string; client: MixClient; start: number }[],
  steps: number,
  step: StepOptions,
): Promise<CapacitySearch[]> {
  const searches = sides.map((s) => new CapacitySearch(s.start, steps));
  for (;;) {
    let ran = false;
    for (const [i, search] of searches.entries()) {
      const rate = search.next();
      if (rate === null) continue;
      const result = await openLoopStep(sides[i]!.client, rate, step);
      search.report(result);
      console.log(`capacity (${sides[i]!.name}): ${describeStep(result)}`);
      ran = true;
    }
    if (!ran) return searches;
  }
}

function capacityRows(ours: CapacitySearch, raw: CapacitySearch, label: string, poolMax: number): BenchRow[] {
  const at = (s: CapacitySearch) => (s.pass ? `p99 ${p99s(s.pass)}` : '—');
  return [
    {
      metric: `capacity at p99 ≤ ${P99_BOUND_MS} ms, every request kind (${label})`,
      ours: ours.describe(),
      reference: `${raw.describe()} (same SQL via pg, pool ${poolMax})`,
      ratio: ours.pass && raw.pass ? `${ratio(raw.pass.rate, ours.pass.rate)} raw/ours` : 'n/a',
      target: '≤ 2× (raw / ours)',
    },
    {
      metric: '  at that rate: list · create · complete',
      ours: at(ours),
      reference: `${at(raw)} (pg)`,
      ratio: 'n/a',
      target: `each ≤ ${P99_BOUND_MS} ms`,
    },
  ];
}

/** CPU meters (ms so far) of the server (ours' side only), Postgres and its backends, and this process. */
const cpuMeters = (serverPid?: number, postgresPid?: number): Record<string, () => number> => ({
  ...(serverPid ? { server: () => processCpuMs(serverPid) } : {}),
  ...(postgresPid ? { postgres: () => processTreeCpuMs(postgresPid) } : {}),
  loadgen: ownCpuMs,
});

/** CPU milliseconds per request of all the processes together. */
const totalCpuMs = (per: Record<string, number>) => Object.values(per).reduce((a, b) => a + b, 0);

/** CPU milliseconds per request of each process, as `server · Postgres · load generator = total`. */
function describeCpu(per: Record<string, number>): string {
  const parts = ['server', 'postgres', 'loadgen'].map((k) => (k in per ? per[k]!.toFixed(2) : '—'));
  return `${parts.join(' · ')} = ${totalCpuMs(per).toFixed(2)} ms`;
}

/**
 * Open-loop steps for ours and for the reference at the same rate, with the CPU each process spent per
 * request: ours is the server, Postgres and the load generator (its HTTP client); the reference is
 * Postgres and the load generator, which is also its pg client. Ours waits for its events to be relayed
 * before the meters are read, so their cost lands in its step. Two rounds, interleaved; each side's
 * cheaper round is kept, because Postgres' background work (autovacuum, checkpoints) lands on whichever
 * step it happens to overlap.
 */
async function cpuPerRequestRows(
  rate: number,
  step: StepOptions,
  sides: { ours: MixClient; raw: MixClient; serverPid: number; postgresPid?: number },
  drained: (since: Date) => Promise<void>,
): Promise<BenchRow[]> {
  const requests = Math.round(rate * step.seconds);
  const cheaper = (a: Record<string, number> | undefined, b: Record<string, number>) =>
    a && totalCpuMs(a) <= totalCpuMs(b) ? a : b;
  let ours: Record<string, number> | undefined;
  let raw: Record<string, number> | undefined;
  for (let round = 0; round < 2; round++) {
    const since = new Date();
    const oursCpu = measureCpu(cpuMeters(sides.serverPid, sides.postgresPid));
    await openLoopStep(sides.ours, rate, step);
    await drained(since);
    ours = cheaper(ours, oursCpu(requests));
    const rawCpu = measureCpu(cpuMeters(undefined, sides.postgresPid));
    await openLoopStep(sides.raw, rate, step);
    raw = cheaper(raw, rawCpu(requests));
  }
  return [
    {
      metric: `CPU per request at ${rate} req/s, server · Postgres · load generator (open loop, ${step.seconds} s steps, cheaper of 2)`,
      ours: describeCpu(ours!),
      reference: `${describeCpu(raw!)} (same SQL via pg; its client is the load generator)`,
      ratio: `${ratio(totalCpuMs(ours!), totalCpuMs(raw!))}`,
      target: '— (capacity follows it)',
    },
  ];
}

export async function benchHttpLoad(
  stack: LocalStack,
  databaseUrl: string,
  jwtSecret: string,
  opts: LoadOptions = {},
): Promise<BenchRow[]> {
  const users = opts.users ?? 1000;
  const durationMs = opts.durationMs ?? 60_000;
  const writeShare = opts.writeShare ?? 0.2;
  const thinkMs = opts.thinkMs ?? 5000;
  const warmupMs = opts.warmupMs ?? 10_000;
  const stepMs = opts.capacityStepMs ?? 8000;
  // The server's pool size, as it parses it; the reference gets a pool of the same size.
  const poolMax = loadConfig({
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: process.env.DATABASE_POOL_MAX,
  }).DATABASE_POOL_MAX;
  // Users straight into the table (signing up 1,000 people would benchmark scrypt instead).
  const { rows } = await sql<{ id: string }>`
    insert into users (email, password_hash)
    select 'load-' || gen_random_uuid() || '@bench.local', 'x' from generate_series(1, ${users})
    returning id`.execute(stack.db);
  const ids = rows.map((r) => r.id);
  // Undone in reverse, whatever got started: the load users go last (their tasks with them).
  const undo: (() => unknown)[] = [() => stack.db.deleteFrom('users').where('id', 'in', ids).execute()];
  try {
    // npm start's process on its own: this process's relay and job runner (main.ts's stack) would take
    // their share of the events the load writes, running consumers inside the load generator.
    await stack.transport.relay.stop();
    await stack.transport.jobs.stop();
    undo.push(async () => {
      await stack.transport.relay.start();
      stack.transport.jobs.start();
    });
    const server = await startLocalProcess({
      env: {
        DATABASE_URL: databaseUrl,
        DATABASE_POOL_MAX: String(poolMax),
        JWT_SECRET: jwtSecret,
        TODO_WEB: 'off',
        LOG_LEVEL: 'error',
      },
      timeoutMs: 60_000,
    });
    undo.push(() => server.stop());
    const tokens = await Promise.all(ids.map((id) => issueTokenForNewSession(stack.db, id, jwtSecret, 3600)));
    const ours = httpMix(server.port, tokens);
    undo.push(() => ours.close());
    const raw = await rawMix(
      stack.db,
      databaseUrl,
      poolMax,
      ids.map((id, i) => ({ id, token: tokens[i]! })),
    );
    undo.push(() => raw.close());
    const seconds = durationMs / 1000;
    const people = users.toLocaleString('en');
    const mix = `${Math.round((1 - writeShare) * 100)}% of sessions read`;
    const { rows: clock } = await sql<{ now: Date }>`select now() as now`.execute(stack.db);
    const passesStarted = clock[0]!.now;
    const pass = async (pauseMs: number, uncountedMs = 0) => {
      const before = ours.staleRetries;
      const result = await closedLoop(ours, users, durationMs, writeShare, pauseMs, uncountedMs);
      return { ...result, retried: ours.staleRetries - before };
    };
    // Closed loop with no pause: every user fires again as soon as answered, so this measures throughput
    // and the latency is queueing once the offered load exceeds capacity. It counts from warmupMs on: in a
    // fresh server's first seconds (JIT, new connections) with 1,000 users arriving at once, reads took
    // up to 4.7 s, and steps at 160 req/s had p99 330–440 ms against 20–100 ms in the steps after them.
    const flat = await pass(0, warmupMs);
    console.log(describeWarmup(flat.warmup, warmupMs));
    // The no-pause pass writes events faster than the relay delivers them; the paced pass starts once
    // they are delivered, so it measures the paced users and not that backlog draining beside them.
    const flatDrainedMs = await outboxDrained(stack, passesStarted, 300_000);
    console.log(describeDrain('the no-pause pass', flatDrainedMs));
    // The same users as people use a todo app: a pause between actions (mean thinkMs, exponential).
    await settleBetweenPasses(stack, "ours' paced pass");
    const paced = await watchedPass(stack, "ours' paced pass", cpuMeters(server.pid, opts.postgresPid), () =>
      pass(thinkMs),
    );
    // The same paced users over the same SQL straight through pg: whether this machine can hold the
    // target at that offered load at all, with nothing in front of Postgres. Once ours has relayed the
    // passes' events, so that its event side does not run beside the reference's pass.
    const pacedDrainedMs = await outboxDrained(stack, passesStarted, 300_000);
    await settleBetweenPasses(stack, "the reference's paced pass");
    const rawPaced = await watchedPass(
      stack,
      "the reference's paced pass",
      cpuMeters(undefined, opts.postgresPid),
      () => closedLoop(raw, users, durationMs, writeShare, thinkMs),
    );
    const out = [
      ...passRows(
        flat,
        `${people} users, no think time, ${seconds} s after ${warmupMs / 1000} s, ${mix}`,
        'p99 ≤ 500 ms',
      ),
      ...passRows(
        paced,
        `${people} users, ${thinkMs / 1000} s mean think time, ${seconds} s`,
        `p99 ≤ ${P99_BOUND_MS} ms`,
        rawPaced,
      ),
    ];
    if (stepMs <= 0) return out;
    // A pass with no pause writes events faster than one relay delivers them in-process; that backlog was
    // drained before the reference's pass (whose rows go in already sent), so it does not compete with the
    // steps either.
    console.log(describeDrain('the paced pass', pacedDrainedMs));
    // The reference's throughput ceiling, as ours came from the no-pause pass: where its search starts.
    const rawFlat = await closedLoop(raw, users, stepMs, writeShare, 0);
    const ceiling = (p: { tally: Tally; seconds: number }) => Math.round(p.tally.requests / p.seconds);
    console.log(`capacity: closed-loop ceilings ${ceiling(flat)} req/s ours, ${ceiling(rawFlat)} raw pg`);
    const step: StepOptions = { users, seconds: stepMs / 1000, writeShare, p99BoundMs: P99_BOUND_MS };
    const [oursCap, rawCap] = await searchCapacities(
      [
        { name: 'ours', client: ours, start: ceiling(flat) / 2 },
        { name: 'raw pg', client: raw, start: ceiling(rawFlat) / 2 },
      ],
      opts.capacitySteps ?? 10,
      step,
    );
    // Where the time goes, at the rate ours passed (or half its ceiling): the same rate for both.
    const cpuRate = oursCap!.pass?.rate ?? Math.round(ceiling(flat) / 2);
    const cpuRows = await cpuPerRequestRows(
      cpuRate,
      step,
      { ours, raw, serverPid: server.pid, postgresPid: opts.postgresPid },
      async (since) => void (await outboxDrained(stack, since, 30_000)),
    );
    return [
      ...out,
      ...capacityRows(
        oursCap!,
        rawCap!,
        `open loop, ${people} users, ${mix}, ${stepMs / 1000} s steps`,
        poolMax,
      ),
      ...cpuRows,
    ];
  } finally {
    for (const step of undo.reverse()) await step();
  }
}
