import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from './global-setup.ts';

const root = new URL('../../', import.meta.url).pathname;

export interface LocalProcess {
  origin: string;
  port: number;
  /** Its process id (the load bench reads its CPU time from /proc). */
  pid: number;
  /** Everything it printed so far (for failure messages). */
  output(): string;
  exited: Promise<number | null>;
  /** SIGTERM, then its exit code; SIGKILL and an error naming its output if it hangs. */
  stop(timeoutMs?: number): Promise<number | null>;
}

/**
 * `npm start`'s process (dist/local.js, built by build-functions.mjs) on a free port with `env` over
 * this process's environment; resolves once `readyPath` answers 2xx. Shared by the tests that run it
 * as a user would and by the load benchmark.
 */
export async function startLocalProcess(opts: {
  env: NodeJS.ProcessEnv;
  /** Options for node itself, before the script (say `--cpu-prof`). */
  nodeArgs?: string[];
  readyPath?: string;
  timeoutMs?: number;
}): Promise<LocalProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [...(opts.nodeArgs ?? []), 'dist/local.js'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), ...opts.env },
  });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dist/local.js exited with ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`dist/local.js was not ready within ${opts.timeoutMs ?? 120_000} ms:\n${out}`);
    }
    const ready = await fetch(`${origin}${opts.readyPath ?? '/readyz'}`).catch(() => null);
    if (ready?.ok) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    origin,
    port,
    pid: child.pid!,
    output: () => out,
    exited,
    async stop(timeoutMs = 30_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const code = await Promise.race([
        exited,
        new Promise<'hung'>((r) => setTimeout(() => r('hung'), timeoutMs)),
      ]);
      if (code !== 'hung') return code;
      child.kill('SIGKILL');
      throw new Error(`dist/local.js did not exit within ${timeoutMs} ms of SIGTERM:\n${out}`);
    },
  };
}
