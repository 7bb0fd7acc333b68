// Stop-and-start-again for engines started by platform/engines (whose helpers have no restart yet): finds
// the engine's process by a marker in its command line, keeps its data dir, and starts the very same
// command again (same ports, same data) once the original has stopped.
import { readdirSync, readFileSync } from 'node:fs';
import { startProcess, waitUntil } from '../../platform/engines/proc.ts';

export interface Restarted {
  stop(): Promise<void>;
}

function findCommand(marker: string): string[] {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      continue;
    }
    if (argv.some((a) => a.includes(marker)) && !argv[0]?.endsWith('setpriv')) return argv;
  }
  throw new Error(`no running process has ${marker} in its command line`);
}

export async function restartLike(opts: {
  name: string;
  marker: string;
  stopOriginal: () => Promise<void>;
  logFile: string;
  cwd: string;
  keepDir: boolean;
  ready: (args: string[]) => Promise<boolean>;
}): Promise<() => Promise<Restarted>> {
  const [command, ...args] = findCommand(opts.marker);
  if (!command) throw new Error(`empty command line for ${opts.marker}`);
  // The helpers remove an engine's temp dir on stop unless this is set; the data must survive.
  const before = process.env.TODO_FN_KEEP_ENGINE_DIRS;
  process.env.TODO_FN_KEEP_ENGINE_DIRS = '1';
  try {
    await opts.stopOriginal();
  } finally {
    if (before === undefined) delete process.env.TODO_FN_KEEP_ENGINE_DIRS;
    else process.env.TODO_FN_KEEP_ENGINE_DIRS = before;
  }
  return async () => {
    const proc = startProcess({
      name: `${opts.name} (restarted)`,
      command,
      args,
      cwd: opts.cwd,
      logFile: opts.logFile,
      hint: `restarting ${opts.name} with its previous command line`,
    });
    await waitUntil(proc, 'ready after restart', 90_000, () => opts.ready(args), '');
    return { stop: () => proc.stop(10_000) };
  };
}
