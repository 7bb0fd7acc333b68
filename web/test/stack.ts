import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { dropDatabase, ensureDatabase } from '../../functions/core/src/db/admin.ts';
import { startLocalProcess } from '../../functions/testing/local-process.ts';

export const repoRoot = resolve(import.meta.dirname, '../..');

/** Flags that let Debian's Chromium run headless as root in a container: no sandbox, no GPU, no /dev/shm limits. */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Installs Chromium with apt-get when missing (idempotent); a machine that cannot is a failed run. */
export function ensureChromium(): string {
  try {
    return execFileSync(join(repoRoot, 'platform/scripts/ensure-chromium.sh'), { encoding: 'utf8' }).trim();
  } catch (e) {
    throw new Error(
      `Chromium is required for the browser tests and could not be installed: ${(e as Error).message}`,
    );
  }
}

export interface RunningStack {
  origin: string;
  stop(): Promise<void>;
}

/**
 * `npm start`'s stack, started the way `npm start` starts it (bundles, then `node dist/local.js`, which
 * builds the web app if stale), on a free port with its own database and data folder; `env` adds to
 * its environment (e.g. where to send email).
 */
export async function startStack(
  adminDatabaseUrl: string,
  env: NodeJS.ProcessEnv = {},
): Promise<RunningStack> {
  execFileSync(process.execPath, ['platform/scripts/build-functions.mjs'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  const dbName = `web_${randomBytes(5).toString('hex')}`;
  const databaseUrl = await ensureDatabase(adminDatabaseUrl, dbName);
  const dataDir = mkdtempSync(join(tmpdir(), 'todo-web-test-'));
  const local = await startLocalProcess({
    env: { DATABASE_URL: databaseUrl, TODO_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    readyPath: '/login',
    // The first start on a machine builds the web app.
    timeoutMs: 230_000,
  });
  return {
    origin: local.origin,
    async stop() {
      await local.stop(10_000).catch(() => {});
      await dropDatabase(adminDatabaseUrl, dbName).catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Debian's Chromium through playwright-core, with a fresh profile, in the given time zone. */
export async function launchBrowser(executablePath: string, timezoneId: string): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'todo-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_FLAGS,
    timezoneId,
    locale: 'en-GB',
    viewport: { width: 1280, height: 860 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
