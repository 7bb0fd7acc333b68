// The kernel's dirty page cache, from /proc/meminfo. A pass's commits wait on WAL fsyncs; when the page
// cache holds hundreds of MB of dirty data (a VACUUM's writes, a build's), the kernel writes it back
// 30 s after it was dirtied (vm.dirty_expire_centisecs), and fsyncs can queue behind that writeback.
// (A suspect for the load bench's paced bursts that did not hold: README, the seventh round.)
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { procText } from './cpu.ts';

/** Dirty (not yet written) and Writeback (being written) page cache, in MB, from meminfo's text. */
export function parsePageCache(meminfo: string): { dirtyMb: number; writebackMb: number } {
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(meminfo)?.[1] ?? 0);
  return { dirtyMb: kb('Dirty') / 1024, writebackMb: kb('Writeback') / 1024 };
}

/** The page cache's dirty and writeback MB now (0 and 0 where /proc/meminfo is missing). */
export function pageCacheNow(): { dirtyMb: number; writebackMb: number } {
  return parsePageCache(procText('/proc/meminfo') ?? '');
}

/** Writes every dirty page out (sync(1)) and answers how many MB were dirty before. */
export async function flushPageCache(): Promise<number> {
  const { dirtyMb } = pageCacheNow();
  await promisify(execFile)('sync');
  return dirtyMb;
}
