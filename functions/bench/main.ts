import { resolve } from 'node:path';
import { issueToken } from '../core/src/auth.ts';
import { loadConfig } from '../core/src/config.ts';
import { ensureDatabase } from '../core/src/db/admin.ts';
import { startEmbeddedPostgres } from '../core/src/db/embedded.ts';
import { createLogger } from '../core/src/log.ts';
import { createLocalStack } from '../local/stack.ts';
import { benchCreateTask, benchListTasks, seedBenchData } from './api.ts';
import { benchColdStart } from './cold-start.ts';
import { benchEventLatency } from './events.ts';
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
  config: loadConfig({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' }),
  log: createLogger('warn'),
});
const rows: BenchRow[] = [];
try {
  const userId = await seedBenchData(stack.db);
  const token = await issueToken(userId, secret, 3600);
  rows.push(...(await benchListTasks(stack, databaseUrl, userId, token)));
  rows.push(...(await benchCreateTask(stack, databaseUrl, userId, token)));
  rows.push(...(await benchColdStart(resolve(root, 'dist/list-tasks.js'), databaseUrl)));
  rows.push(...(await benchRecurrenceNextVisible(stack, { jwtSecret: secret })));
  rows.push(...(await benchReminderLateness(stack)));
  // Real Kafka + daprd, started (and fetched/built once, cached) by platform/engines.
  rows.push(...(await benchEventLatency()));
  // The cluster's job path: real Dapr Scheduler → daprd → POST /job/<name>.
  rows.push(...(await benchSchedulerLateness()));
} finally {
  printTable(rows);
  await stack.close();
  await pgServer?.stop();
}
