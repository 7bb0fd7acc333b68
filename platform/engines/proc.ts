// Shared plumbing for the engine helpers: pinned versions, cache paths, free loopback ports, running the
// get-*.sh scripts, and child processes that log to a file and die with the test run.
import { type ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const enginesDir = dirname(fileURLToPath(import.meta.url));

/** KEY=VALUE pairs of platform/engines/versions.env (no shell expansion is used there). */
export function engineVersions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(join(enginesDir, 'versions.env'), 'utf8').split('\n')) {
    const m = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m?.[1] && m[2] !== undefined) out[m[1]] = m[2].trim().replace(/^["']|["']$/g, '');
  }
  return out;
}

export function version(key: string): string {
  const v = engineVersions()[key];
  if (!v) throw new Error(`platform/engines/versions.env has no ${key}`);
  return v;
}

/** Where get-*.sh cache engines: $TODO_FN_CACHE or ~/.cache/todo-fn. */
export function cacheRoot(): string {
  return process.env.TODO_FN_CACHE || join(homedir(), '.cache', 'todo-fn');
}

/** Free TCP ports on 127.0.0.1 (all held open together, so they are distinct, then released). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<import('node:net').Server>((resolve, reject) => {
          const s = createServer();
          s.unref();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const a = s.address();
    if (!a || typeof a === 'string') throw new Error('could not read a free port');
    return a.port;
  });
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

export async function freePort(): Promise<number> {
  const [p] = await freePorts(1);
  return p!;
}

export function tail(file: string, maxChars = 6000): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.length > maxChars ? `…${text.slice(-maxChars)}` : text;
  } catch {
    return '(no log)';
  }
}

/**
 * Runs platform/engines/<script> (a get-*.sh) and returns its stdout. Its progress goes to stderr and,
 * on failure, into the thrown error. A cold Dapr build takes tens of minutes: give callers a long timeout.
 */
export function runEngineScript(script: string): Promise<string> {
  const path = join(enginesDir, script);
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.length > 200_000) err = err.slice(-100_000);
    });
    child.once('error', (e) => reject(new Error(`could not run ${path}: ${e.message}`)));
    child.once('close', (code) => {
      if (code === 0) resolve(out.trim());
      else
        reject(
          new Error(
            `${path} failed (exit ${code}). Run it by hand to see why. Output tail:\n${err.slice(-4000)}`,
          ),
        );
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// Child processes

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of running) {
      try {
        c.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** setpriv --pdeathsig KILL makes the kernel kill the engine if this Node process dies without cleanup. */
const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

export interface EngineProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Rejects as soon as the process exits (before stop() is called). */
  readonly exited: Promise<never>;
  isRunning(): boolean;
  /** SIGTERM, then SIGKILL after graceMs. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

export function startProcess(opts: {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  hint: string;
}): EngineProcess {
  installExitHook();
  const fd = openSync(opts.logFile, 'a');
  const [cmd, args] = setpriv
    ? [setpriv, ['--pdeathsig', 'KILL', '--', opts.command, ...opts.args]]
    : [opts.command, opts.args];
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  running.add(child);
  let stopping = false;
  let exitCode: number | null = null;
  let exitSignal: NodeJS.Signals | null = null;
  const done = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitCode = code;
      exitSignal = signal;
      running.delete(child);
      resolve();
    });
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (e) => {
      running.delete(child);
      reject(new Error(`${opts.name}: could not start ${opts.command}: ${e.message}. ${opts.hint}`));
    });
    void done.then(() => {
      if (!stopping)
        reject(
          new Error(
            `${opts.name} exited (code ${exitCode}, signal ${exitSignal}). ${opts.hint}\nLog ${opts.logFile}:\n${tail(opts.logFile)}`,
          ),
        );
    });
  });
  exited.catch(() => {}); // observed by callers that race it; never an unhandled rejection
  return {
    name: opts.name,
    child,
    logFile: opts.logFile,
    exited,
    isRunning: () => child.exitCode === null && child.signalCode === null,
    async stop(graceMs = 10_000) {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await done;
      clearTimeout(timer);
    },
  };
}

/**
 * Polls probe() until it returns true; fails fast (with the log tail) if the process exits, and after
 * timeoutMs with the last probe error.
 */
export async function waitUntil(
  proc: EngineProcess,
  what: string,
  timeoutMs: number,
  probe: () => Promise<boolean>,
  hint: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const ok = await Promise.race([
      probe().then(
        (v) => v,
        (e: unknown) => {
          last = e instanceof Error ? e.message : String(e);
          return false;
        },
      ),
      proc.exited,
    ]);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  await proc.stop(2000);
  throw new Error(
    `${proc.name}: ${what} not ready after ${timeoutMs} ms${last ? ` (last error: ${last})` : ''}. ${hint}\nLog ${proc.logFile}:\n${tail(proc.logFile)}`,
  );
}

function tempRoot(): string {
  return process.env.TODO_FN_ENGINE_TMP || tmpdir();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let swept = false;
/**
 * Engines die with their test process (pdeathsig) but a killed vitest worker cannot clean up its temp
 * dirs. Once per process, remove todo-fn-* dirs whose owner process is gone and that are over an hour
 * old (so dirs kept after a failure stay around for inspection for a while).
 */
function sweepStaleTempDirs(): void {
  if (swept) return;
  swept = true;
  const root = tempRoot();
  let names: string[] = [];
  try {
    names = readdirSync(root).filter((n) => n.startsWith('todo-fn-'));
  } catch {
    return;
  }
  for (const n of names) {
    const dir = join(root, n);
    try {
      const owner = Number(readFileSync(join(dir, '.owner-pid'), 'utf8'));
      if (!owner || alive(owner)) continue;
      if (Date.now() - statSync(dir).mtimeMs < 3_600_000) continue;
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // not ours, or already gone
    }
  }
}

export function makeTempDir(prefix: string): string {
  sweepStaleTempDirs();
  const dir = mkdtempSync(join(tempRoot(), `todo-fn-${prefix}-`));
  writeFileSync(join(dir, '.owner-pid'), String(process.pid));
  return dir;
}

/** Removes an engine's temp dir unless TODO_FN_KEEP_ENGINE_DIRS=1 (for post-mortems). */
export function removeTempDir(dir: string): void {
  if (process.env.TODO_FN_KEEP_ENGINE_DIRS === '1') return;
  // renderResources() returns <todo-fn-dapr-resources-*>/resources: remove the whole temp dir.
  const parent = dirname(dir);
  const target = basename(dir) === 'resources' && basename(parent).startsWith('todo-fn-') ? parent : dir;
  rmSync(target, { recursive: true, force: true });
}
