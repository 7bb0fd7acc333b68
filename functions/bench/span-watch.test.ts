import { afterEach, describe, expect, it, vi } from 'vitest';
import { tcpCounter, watchSpans } from './span-watch.ts';

describe('watchSpans', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps the peak of a gauge and the rate of a counter in each span', () => {
    // A fake clock: on a busy machine real timers slipped past the span's end before the counter rose.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    let gauge = 5;
    let cpuMs = 0;
    let retransmits = 7;
    const stop = watchSpans(
      100,
      {
        peaks: { gauge: () => gauge },
        rates: { cpu: () => cpuMs },
        counts: { retransmits: () => retransmits },
      },
      10,
    );
    vi.advanceTimersByTime(30);
    gauge = 9; // a peak inside the first span
    vi.advanceTimersByTime(30);
    gauge = 1;
    cpuMs += 50; // half a core over the first 100 ms
    retransmits += 3;
    vi.advanceTimersByTime(100);
    const got = stop();
    expect(got.gauge![0]).toBe(9);
    expect(got.gauge![1]).toBe(1);
    expect(got.cpu![0]).toBeGreaterThanOrEqual(35);
    expect(got.cpu![0]).toBeLessThanOrEqual(55);
    expect(got.cpu![1] ?? 0).toBeLessThanOrEqual(5);
    expect(got.retransmits).toEqual([3, 0]);
  });
});

describe('tcpCounter', () => {
  it('reads a TcpExt counter by name', () => {
    const text = 'TcpExt: SyncookiesSent TCPSynRetrans\nTcpExt: 0 3242\nIpExt: InNoRoutes\nIpExt: 0\n';
    expect(tcpCounter('TCPSynRetrans', text)).toBe(3242);
    expect(tcpCounter('Nope', text)).toBe(0);
    expect(tcpCounter('TCPSynRetrans')).toBeGreaterThanOrEqual(0);
  });
});
