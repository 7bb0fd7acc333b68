import type { Hono } from 'hono';
import { connectDatabase } from '../db/connect.ts';
import { clockJobsClient } from './clock-jobs.ts';
import { type Config, ConfigError, loadConfig, requireAppToken, requireJwtSecret } from './config.ts';
import type { FunctionDeps } from './http.ts';
import { createLogger } from './log.ts';
import { listen, onShutdown } from './serve.ts';

// biome-ignore lint/suspicious/noExplicitAny: a factory may return any Hono app shape
export type FunctionFactory = (deps: FunctionDeps) => Hono<any>;

/** What a container adds around its app: background work started after listen() and stopped on SIGTERM. */
export interface ContainerParts {
  // biome-ignore lint/suspicious/noExplicitAny: any Hono app shape
  app: Hono<any>;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

/**
 * The shared container entry: validated config (plus the runner's own checks), a lazy pool (no query at
 * start, so a cold start costs only the process and the import), the app on PORT, and a graceful SIGTERM
 * that marks the app unready, drains requests, stops background work, then closes the pool.
 */
export async function runContainer(
  name: string,
  build: (deps: FunctionDeps & { databaseUrl: string }) => ContainerParts,
  checkConfig: (config: Config) => void = () => {},
): Promise<void> {
  let config: Config;
  let jwtSecret: string;
  let databaseUrl: string;
  try {
    config = loadConfig();
    jwtSecret = requireJwtSecret(config);
    if (config.APP_API_TOKEN) requireAppToken(config);
    if (!config.DATABASE_URL) throw new ConfigError('Invalid configuration:\n  DATABASE_URL: required');
    databaseUrl = config.DATABASE_URL;
    checkConfig(config);
  } catch (e) {
    process.stderr.write(`${name}: ${(e as Error).message}\n`);
    process.exit(78); // EX_CONFIG
  }
  const log = createLogger(config.LOG_LEVEL, { fn: name });
  const database = connectDatabase(databaseUrl, config.DATABASE_POOL_MAX, {
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
  });
  const lifecycle = { draining: false };
  const appToken = config.APP_API_TOKEN;
  const parts = build({ db: database.db, config, jwtSecret, log, lifecycle, databaseUrl, appToken });
  const server = await listen(parts.app, config.PORT);
  log.info('listening', { port: server.port });
  await parts.start?.();
  onShutdown({
    delayMs: config.SHUTDOWN_DELAY_MS,
    markDraining: () => {
      lifecycle.draining = true;
    },
    close: async () => {
      await server.close(config.SHUTDOWN_GRACE_MS);
      await parts.stop?.();
      await database.close();
      log.info('stopped');
    },
  });
}

/**
 * An HTTP function's container entry point. It runs without a daprd, so any job it schedules goes to
 * the clock (the one app-id Dapr jobs fire back to) at CLOCK_URL.
 */
export function runFunction(name: string, create: FunctionFactory): Promise<void> {
  return runContainer(name, (deps) => ({
    app: create({
      ...deps,
      jobs: clockJobsClient({ clockUrl: deps.config.CLOCK_URL, secret: deps.jwtSecret }),
    }),
  }));
}
