// Spawning a process and timing it to its first 200, shared by the cold-start rows with and without daprd.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { percentile } from './stats.ts';

/** How long a started process idles before its RSS is read (the first request served, nothing since). */
export const SETTLE_MS = 200;

export interface Sample {
  ms: number;
  rssMb: number;
}

/** Polls `url` until it answers 200; throws at `deadline` (a performance.now() time). */
export async function firstOk(url: string, deadline: number): Promise<void> {
  while (performance.now() < deadline) {
    try {
      const res = await fetch(url);
      await res.text();
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error(`${url} did not answer 200 in time`);
}

/** Resident memory of a process, in MB (0 once it has gone). */
export function rssMb(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(m?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Kills a child and waits until it has exited, so its ports and memory are free for the next sample. */
export async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/** How a process is started: a node binary and its arguments (a script, or `--snapshot-blob <blob>`). */
export interface NodeProgram {
  node: string;
  args: string[];
}

export const spawnNode = (program: NodeProgram, env: Record<string, string>, port: number) =>
  spawn(program.node, program.args, {
    env: { PATH: process.env.PATH, ...env, PORT: String(port) },
    stdio: 'ignore',
  });

export const median = (xs: number[]) => percentile(xs, 50);
export const medianOf = (samples: Sample[]) => ({
  ms: median(samples.map((s) => s.ms)),
  rssMb: median(samples.map((s) => s.rssMb)),
});
export const mb = (v: number) => `${v.toFixed(1)} MB`;
