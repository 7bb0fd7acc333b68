import { resolve } from 'node:path';
import { issueTokenForNewSession } from '@todo/core/accounts/sessions';
import { ensureDatabase } from '@todo/core/db/admin';
import { startEmbeddedPostgres } from '@todo/core/db/embedded';
import { loadConfig } from '@todo/core/runtime/config';
import { createLogger } from '@todo/core/runtime/log';
import { createLocalStack } from '../local/stack.ts';
import { benchCreateTask, benchListProjectTasks, benchListTasks, seedBenchData } from './api.ts';
import { benchClusterScaling } from './cluster-scaling.ts';
import { benchColdStart } from './cold-start.ts';
import { postmasterPid } from './cpu.ts';
import { benchEventLatency } from './events.ts';
import { benchHttpLoad } from './load.ts';
import { benchRecurrenceNextVisible } from './recurrence.ts';
import { benchReminderLateness } from './reminders.ts';
import { benchSchedulerLateness } from './scheduler.ts';
import { type BenchRow, printTable } from './stats.ts';

/**
 * `npm run bench`: every figure beside a reference measured in the same run, printed as one table.
 * Uses its own persistent embedded Postgres (.data/bench-pg) so the 1M-row data set is built once.
 */
// run-ts keeps this file's own import.meta.url: the repository is two folders up.
const root = resolve(new URL('../..', import.meta.url).pathname);
const pgServer = process.env.BENCH_DATABASE_URL
  ? null
  : await startEmbeddedPostgres({ dataDir: resolve(root, '.data/bench-pg'), port: 54339, persistent: true });
const adminUrl = process.env.BENCH_DATABASE_URL ?? pgServer!.url;
const databaseUrl = await ensureDatabase(adminUrl, 'todo_bench');
const secret = 'bench-secret-bench-secret-bench-secret!!';
const stack = await createLocalStack({
  databaseUrl,
  jwtSecret: secret,
  // No statement timeout: the first run seeds 1M tasks in one transaction.
  config: loadConfig({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', DATABASE_STATEMENT_TIMEOUT_MS: '0' }),
  log: createLogger('warn'),
});
const rows: BenchRow[] = [];
// BENCH_ONLY=load,events (say) runs just those sections; the default is all of them, in this order.
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const section = async (name: string, run: () => Promise<BenchRow[]>) => {
  if (!only || only.includes(name)) rows.push(...(await run()));
};
try {
  // The 1M-task data set is built only for the sections that read it (a first build takes minutes).
  let seeded: Promise<{ userId: string; token: string }> | undefined;
  const seed = () =>
    (seeded ??= seedBenchData(stack.db).then(async (userId) => ({
      userId,
      token: await issueTokenForNewSession(stack.db, userId, secret, 3600),
    })));
  await section('list', async () => {
    const { userId, token } = await seed();
    return benchListTasks(stack, databaseUrl, userId, token);
  });
  await section('list-project', async () => {
    const { userId, token } = await seed();
    return benchListProjectTasks(stack, databaseUrl, userId, token);
  });
  await section('create', async () => {
    const { userId, token } = await seed();
    return benchCreateTask(stack, databaseUrl, userId, token);
  });
  // Every HTTP function's bundle (BENCH_COLD_START_ITERATIONS spawns each), and list-tasks with daprd.
  await section('cold-start', () =>
    benchColdStart(resolve(root, 'dist'), databaseUrl, {
      iterations: Number(process.env.BENCH_COLD_START_ITERATIONS ?? 7),
    }),
  );
  await section('recurrence', () => benchRecurrenceNextVisible(stack, { jwtSecret: secret }));
  await section('reminders', () => benchReminderLateness(stack));
  // npm start's process on its own, under 1,000 concurrent users (BENCH_LOAD_USERS / BENCH_LOAD_SECONDS /
  // BENCH_LOAD_WARMUP_SECONDS), then its capacity beside raw pg's (BENCH_CAPACITY_STEP_SECONDS per step,
  // 0 to skip; BENCH_CAPACITY_STEPS).
  await section('load', () =>
    benchHttpLoad(stack, databaseUrl, secret, {
      users: Number(process.env.BENCH_LOAD_USERS ?? 1000),
      durationMs: Number(process.env.BENCH_LOAD_SECONDS ?? 60) * 1000,
      warmupMs: Number(process.env.BENCH_LOAD_WARMUP_SECONDS ?? 10) * 1000,
      capacityStepMs: Number(process.env.BENCH_CAPACITY_STEP_SECONDS ?? 8) * 1000,
      capacitySteps: Number(process.env.BENCH_CAPACITY_STEPS ?? 10),
      postgresPid: pgServer ? postmasterPid(resolve(root, '.data/bench-pg')) : undefined,
    }),
  );
  // Real Kafka + daprd, started (and fetched/built once, cached) by platform/engines.
  await section('events', () => benchEventLatency());
  // The cluster's job path: real Dapr Scheduler → daprd → POST /job/<name>.
  await section('scheduler', () => benchSchedulerLateness());
  // KEDA on a real control plane (platform/local-cluster): lag → first pod Ready, idle → zero.
  await section('cluster', () => benchClusterScaling());
} finally {
  printTable(rows);
  await stack.close();
  await pgServer?.stop();
}
