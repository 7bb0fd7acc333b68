import type { Hono } from 'hono';
import { ConfigError, loadConfig, requireJwtSecret } from './config.ts';
import { connectDatabase } from './db/connect.ts';
import type { FunctionDeps } from './http.ts';
import { createLogger } from './log.ts';
import { listen, onShutdown } from './serve.ts';

// biome-ignore lint/suspicious/noExplicitAny: a factory may return any Hono app shape
export type FunctionFactory = (deps: FunctionDeps) => Hono<any>;

/**
 * A function's container entry point: validated config, a lazy pool (no query at start, so a cold start
 * costs only the process and the import), the app on PORT, and a graceful SIGTERM.
 */
export async function runFunction(name: string, create: FunctionFactory): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  let jwtSecret: string;
  try {
    config = loadConfig();
    jwtSecret = requireJwtSecret(config);
    if (!config.DATABASE_URL) throw new ConfigError('Invalid configuration:\n  DATABASE_URL: required');
  } catch (e) {
    process.stderr.write(`${name}: ${(e as Error).message}\n`);
    process.exit(78); // EX_CONFIG
  }
  const log = createLogger(config.LOG_LEVEL, { fn: name });
  const database = connectDatabase(config.DATABASE_URL, config.DATABASE_POOL_MAX);
  const lifecycle = { draining: false };
  const app = create({ db: database.db, config, jwtSecret, log, lifecycle });
  const server = await listen(app, config.PORT);
  log.info('listening', { port: server.port });
  onShutdown({
    markDraining: () => {
      lifecycle.draining = true;
    },
    close: async () => {
      await server.close(config.SHUTDOWN_GRACE_MS);
      await database.close();
      log.info('stopped');
    },
  });
}
