// CPU time per request, by process, read from /proc: where a load step's time went (issue 11: "profile
// first and write down where the time goes"). Capacity at a p99 bound swings with the machine's noise;
// CPU per request is steadier, and on these 2 shared cores it is what sets capacity.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's times (USER_HZ: 100 on every Linux the bench runs on). */
const TICKS_PER_SECOND = 100;

/** A /proc file's text, or undefined where it cannot be read (a process gone, not Linux). */
export function procText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** A process's stat fields after its name (the name may hold spaces and parentheses). */
function statFields(pid: number): string[] | null {
  const stat = procText(`/proc/${pid}/stat`);
  return stat === undefined ? null : stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Fields 14–17 of proc(5) (utime, stime, cutime, cstime), counted from the state (field 3) here, in ms. */
const cpuMsOf = (f: string[]) =>
  ((Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 1000) / TICKS_PER_SECOND;

/**
 * CPU milliseconds `pid` used so far, its waited-for children included (cutime, cstime): Postgres'
 * postmaster reaps the backends that exit, so their time is not lost between two readings.
 */
export function processCpuMs(pid: number): number {
  const f = statFields(pid);
  return f ? cpuMsOf(f) : 0;
}

/** CPU milliseconds of `root` and of its live children (a postmaster and its backends). */
export function processTreeCpuMs(root: number): number {
  let ms = processCpuMs(root);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(Number(entry));
    if (f && Number(f[1]) === root) ms += cpuMsOf(f);
  }
  return ms;
}

/** The postmaster's pid from a data directory (the first line of postmaster.pid), if it is running. */
export function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** This process's CPU milliseconds (the load generator, and the reference's own pg client). */
export const ownCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Named CPU meters read before and after some work; `perRequest` divides what each used by `requests`. */
export function measureCpu(meters: Record<string, () => number>) {
  const before = Object.fromEntries(Object.entries(meters).map(([name, read]) => [name, read()]));
  return (requests: number): Record<string, number> =>
    Object.fromEntries(
      Object.entries(meters).map(([name, read]) => [name, (read() - before[name]!) / Math.max(1, requests)]),
    );
}

/** The fields of /proc/stat's first line after "cpu", in proc(5)'s order. */
const HOST_CPU_FIELDS = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;

/**
 * Milliseconds all this machine's CPUs spent so far in one state of /proc/stat: `steal` is time the
 * hypervisor gave our virtual CPUs to someone else, `iowait` idle time with disk I/O outstanding.
 */
export function hostCpuMs(
  field: (typeof HOST_CPU_FIELDS)[number],
  stat = procText('/proc/stat') ?? '',
): number {
  const ticks = stat.split('\n')[0]?.trim().split(/\s+/)[HOST_CPU_FIELDS.indexOf(field) + 1];
  return (Number(ticks ?? 0) * 1000) / TICKS_PER_SECOND;
}
