import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hostCpuMs, measureCpu, ownCpuMs, processCpuMs, processTreeCpuMs } from './cpu.ts';

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

describe('hostCpuMs', () => {
  it("reads one state's time from /proc/stat's first line, in ms", () => {
    const stat = 'cpu  100 0 50 9000 20 0 5 7 0 0\ncpu0 50 0 25 4500 10 0 2 3 0 0\n';
    expect(hostCpuMs('user', stat)).toBe(1000);
    expect(hostCpuMs('iowait', stat)).toBe(200);
    expect(hostCpuMs('steal', stat)).toBe(70);
    expect(hostCpuMs('idle')).toBeGreaterThan(0);
  });
});
