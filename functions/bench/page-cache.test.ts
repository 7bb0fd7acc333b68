import { describe, expect, it } from 'vitest';
import { pageCacheNow, parsePageCache } from './page-cache.ts';

describe('parsePageCache', () => {
  it('reads Dirty and Writeback from meminfo in MB', () => {
    const text =
      'MemTotal:       24000000 kB\nDirty:            782448 kB\nWriteback:          2048 kB\nWritebackTmp:         0 kB\n';
    expect(parsePageCache(text)).toEqual({ dirtyMb: 782448 / 1024, writebackMb: 2 });
  });

  it('answers 0 for a field that is missing', () => {
    expect(parsePageCache('MemTotal: 1 kB\n')).toEqual({ dirtyMb: 0, writebackMb: 0 });
  });

  it("reads this machine's /proc/meminfo", () => {
    const now = pageCacheNow();
    expect(now.dirtyMb).toBeGreaterThanOrEqual(0);
    expect(now.writebackMb).toBeGreaterThanOrEqual(0);
  });
});
