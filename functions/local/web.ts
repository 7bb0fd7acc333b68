import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@todo/core/runtime/log';
import type { FetchApp } from '@todo/core/runtime/serve';
import { sleep } from '@todo/core/runtime/time';
import { forwardRequest } from '../../web/lib/proxy.ts';
import { catalog } from '../catalog.ts';

/**
 * The web app (Next.js, `web/`) beside the API on `npm start`'s one address. Next's production build is
 * made when missing or stale (a hash of web/'s sources, so a second start is instant), then its
 * standalone server (the same artefact the web container runs) starts as a child process on a private
 * loopback port, and this process forwards every non-API request to it.
 */

/** The repository root: the nearest folder up from this file (source or bundle) holding web/package.json. */
export function findRepoRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  while (!existsSync(join(dir, 'web', 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no web/package.json above ${from}`);
    dir = up;
  }
  return dir;
}

const IGNORED = new Set([
  '.next',
  'node_modules',
  'screenshots',
  'test',
  'next-env.d.ts',
  'tsconfig.tsbuildinfo',
]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !IGNORED.has(e.name) && !e.name.endsWith('.test.ts') && !e.name.endsWith('.md'))
    .flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : [join(dir, e.name)]))
    .sort();
}

/** What the build depends on: web/'s sources and the Next.js version. */
export function webSourceHash(root: string): string {
  const web = join(root, 'web');
  const hash = createHash('sha256');
  const nextPkg = createRequire(join(root, 'package.json')).resolve('next/package.json');
  hash.update(`next@${JSON.parse(readFileSync(nextPkg, 'utf8')).version}\n`);
  for (const file of sourceFiles(web)) {
    hash.update(`${relative(web, file)}\n`);
    hash.update(readFileSync(file));
  }
  return hash.digest('hex');
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One builder at a time (a test run and `npm start` may race); a lock whose owner died is taken over. */
async function withBuildLock<T>(lockFile: string, work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      const owner = Number(readFileSync(lockFile, { encoding: 'utf8', flag: 'a+' }));
      if (!owner || !processAlive(owner)) rmSync(lockFile, { force: true });
      else await sleep(1000);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

function run(command: string, args: string[], cwd: string, log: Logger): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', fail);
    child.on('exit', (code) => {
      if (code === 0) done();
      else {
        log.error('web build failed', { output });
        fail(new Error(`${args.join(' ')} exited with ${code}:\n${output}`));
      }
    });
  });
}

const KEEP_BUILDS = 3;

/**
 * Builds web/ (`next build`, standalone output) unless a build of the same sources is cached. Each build
 * is copied to node_modules/.cache/todo-web/<source hash>/, and servers run from that copy, so a rebuild
 * (someone editing web/) never pulls files from under a server that is already running.
 */
export async function ensureWebBuild(root: string, log: Logger): Promise<string> {
  const web = join(root, 'web');
  const cache = join(root, 'node_modules', '.cache', 'todo-web');
  const serverOf = (hash: string) => join(cache, hash, 'web', 'server.js');
  const cached = serverOf(webSourceHash(root));
  if (existsSync(cached)) return cached;
  mkdirSync(cache, { recursive: true });
  return withBuildLock(join(cache, 'build.lock'), async () => {
    // As web's prebuild does: the API types from the catalog first (the drift test keeps the committed
    // copy current, so this rarely changes a byte), and the sources hashed after that.
    await run(process.execPath, [join(web, 'scripts', 'gen-api-types.mjs')], root, log);
    const hash = webSourceHash(root);
    const server = serverOf(hash);
    if (existsSync(server)) return server; // another process built it while we waited
    log.info('building the web app (next build); later starts reuse it until web/ changes');
    const nextBin = createRequire(join(root, 'package.json')).resolve('next/dist/bin/next');
    await run(process.execPath, [nextBin, 'build'], web, log);
    const staging = join(cache, `${hash}.tmp-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    cpSync(join(web, '.next', 'standalone'), staging, { recursive: true });
    // The standalone server serves static assets only from beside itself.
    cpSync(join(web, '.next', 'static'), join(staging, 'web', '.next', 'static'), { recursive: true });
    if (existsSync(join(web, 'public'))) {
      cpSync(join(web, 'public'), join(staging, 'web', 'public'), { recursive: true });
    }
    renameSync(staging, join(cache, hash));
    const builds = readdirSync(cache, { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== hash)
      .map((e) => ({ dir: join(cache, e.name), at: statSync(join(cache, e.name)).mtimeMs }))
      .sort((a, b) => b.at - a.at);
    for (const old of builds.slice(KEEP_BUILDS - 1)) rmSync(old.dir, { recursive: true, force: true });
    return server;
  });
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => done(port));
    });
  });
}

export interface WebServer {
  origin: string;
  forward(request: Request): Promise<Response>;
  close(): Promise<void>;
}

/** Starts the built web server on a private loopback port and waits until it answers. */
export async function startWebServer(root: string, log: Logger): Promise<WebServer> {
  const server = await ensureWebBuild(root, log);
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [server], {
    cwd: dirname(server),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PORT: String(port),
      HOSTNAME: '127.0.0.1',
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
    },
  });
  let exited = false;
  let stopping = false;
  child.on('exit', (code) => {
    exited = true;
    if (code && !stopping) log.error('web server exited', { code });
  });
  // However this process ends (a crash included), the web server does not outlive it.
  process.once('exit', () => {
    if (!exited) child.kill('SIGTERM');
  });
  child.stderr?.on('data', (c: Buffer) => log.warn('web', { output: c.toString().trim() }));
  child.stdout?.resume();
  for (let i = 0; ; i++) {
    if (exited) throw new Error('the web server exited while starting');
    try {
      await fetch(`${origin}/login`, { method: 'HEAD' });
      break;
    } catch {
      if (i > 600) throw new Error('the web server did not start within a minute');
      await sleep(100);
    }
  }
  return {
    origin,
    async forward(request) {
      try {
        return await forwardRequest(request, origin);
      } catch {
        return new Response('The web app is not reachable; retry shortly.', {
          status: 503,
          headers: { 'retry-after': '2', 'content-type': 'text/plain' },
        });
      }
    },
    close: async () => {
      if (exited) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      stopping = true;
      child.kill('SIGTERM');
      await Promise.race([gone, sleep(5000)]);
      if (!exited) child.kill('SIGKILL');
    },
  };
}

/** The gateway's fetch; the Node adapter's bindings (`env`) pass through untouched. */
type ApiApp = { fetch(request: Request, env?: unknown): Response | Promise<Response> };

/** Path prefixes the API answers (from the catalog, plus health checks); everything else is the web app. */
function apiPrefixes(): string[] {
  const roots = catalog.flatMap((f) => f.routes.map((r) => `/${r.path.split('/')[1]}/`));
  return [...new Set([...roots, '/api/'])];
}

/** One fetch handler for one address: API paths to the gateway, the rest to the web app. */
export function withWebApp(api: ApiApp, web: WebServer): FetchApp & ApiApp {
  const prefixes = apiPrefixes();
  const isApi = (path: string) =>
    path === '/healthz' || path === '/readyz' || prefixes.some((p) => path.startsWith(p) || `${path}/` === p);
  return {
    fetch(request: Request, env?: unknown) {
      return isApi(new URL(request.url).pathname) ? api.fetch(request, env) : web.forward(request);
    },
  };
}

/** `TODO_WEB=off npm start` serves the API alone (no Next.js build or server). */
export const webEnabled = () => process.env.TODO_WEB !== 'off';
