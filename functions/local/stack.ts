import type { Kysely } from 'kysely';
import { type Config, loadConfig } from '../core/src/config.ts';
import { connectDatabase, type DbHandle } from '../core/src/db/connect.ts';
import { migrateToLatest } from '../core/src/db/migrate.ts';
import type { Database } from '../core/src/db/types.ts';
import type { FunctionDeps } from '../core/src/http.ts';
import { createLogger, type Logger } from '../core/src/log.ts';
import { createGatewayApp } from '../gateway/app.ts';
import { httpApps } from '../registry.ts';

export interface LocalStack {
  /** The gateway with every HTTP function mounted in-process: the same routing as in a cluster. */
  app: ReturnType<typeof createGatewayApp>;
  db: Kysely<Database>;
  deps: FunctionDeps;
  close(): Promise<void>;
}

export interface LocalStackOptions {
  databaseUrl: string;
  jwtSecret: string;
  config?: Config;
  log?: Logger;
}

/** Migrates the database and mounts every HTTP function behind the gateway, all in this process. */
export async function createLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const config = options.config ?? loadConfig({ DATABASE_URL: options.databaseUrl });
  const handle: DbHandle = connectDatabase(options.databaseUrl, config.DATABASE_POOL_MAX);
  await migrateToLatest(handle.db as Kysely<unknown>);
  const deps: FunctionDeps = {
    db: handle.db,
    config,
    jwtSecret: options.jwtSecret,
    log: options.log ?? createLogger(config.LOG_LEVEL),
    lifecycle: { draining: false },
  };
  const apps = Object.fromEntries(Object.entries(httpApps).map(([name, create]) => [name, create(deps)]));
  const app = createGatewayApp(async (fn, request) => {
    const target = apps[fn];
    if (!target) throw new Error(`no app for ${fn}`);
    return target.fetch(request);
  });
  return { app, db: handle.db, deps, close: () => handle.close() };
}
