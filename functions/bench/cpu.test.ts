import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { measureCpu, ownCpuMs, processCpuMs, processTreeCpuMs } from './cpu.ts';

describe('bench CPU meters', () => {
  it('reads a busy child’s CPU time from /proc, and counts it in its parent’s tree', async () => {
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 400; while (Date.now() < end);']);
    await new Promise((r) => setTimeout(r, 300));
    expect(processCpuMs(child.pid!)).toBeGreaterThan(0);
    expect(processTreeCpuMs(process.pid)).toBeGreaterThanOrEqual(processCpuMs(child.pid!));
    await new Promise((r) => child.once('exit', r));
    expect(processCpuMs(child.pid!)).toBe(0);
  });

  it('divides what each meter used by the requests served', () => {
    let used = 10;
    const perRequest = measureCpu({ server: () => used, self: ownCpuMs });
    used = 70;
    const end = performance.now() + 30;
    while (performance.now() < end);
    const per = perRequest(3);
    expect(per.server).toBe(20);
    expect(per.self).toBeGreaterThan(0);
  });
});
