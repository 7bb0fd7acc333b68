import { procText } from './cpu.ts';

// What the machine did in each span of a pass (the spans the load bench counts its slow requests in):
// where a burst of slow requests came from — which process was busy then, or whether the disk was.

export interface SpanMeters {
  /** Sampled every `everyMs`; the span keeps the highest value (the page cache's dirty MB). */
  peaks?: Record<string, () => number>;
  /** Cumulative counters (CPU ms); the span keeps their rise per second of the span, in % of one core. */
  rates?: Record<string, () => number>;
  /** Cumulative counters (TCP SYN retransmits); the span keeps how much they rose in it. */
  counts?: Record<string, () => number>;
}

/** Starts sampling; the returned stop() answers each meter's values per span, in span order. */
export function watchSpans(
  spanMs: number,
  meters: SpanMeters,
  everyMs = 500,
): () => Record<string, number[]> {
  const started = performance.now();
  const out: Record<string, number[]> = {};
  /** A meter's values per span, made on first use. */
  const series = (name: string) => {
    out[name] ??= [];
    return out[name];
  };
  const peaks = Object.entries(meters.peaks ?? {});
  const rates = Object.entries(meters.rates ?? {});
  const counts = Object.entries(meters.counts ?? {});
  let spanStart = started;
  const last = Object.fromEntries([...rates, ...counts].map(([name, read]) => [name, read()]));
  /** How much a counter rose since it was last read. */
  const rise = (name: string, read: () => number) => {
    const value = read();
    const by = value - last[name]!;
    last[name] = value;
    return by;
  };
  const closeSpan = (now: number) => {
    const span = Math.floor((spanStart - started) / spanMs);
    for (const [name, read] of rates) {
      series(name)[span] = Math.round((rise(name, read) * 100) / Math.max(1, now - spanStart));
    }
    for (const [name, read] of counts) series(name)[span] = rise(name, read);
    spanStart = now;
  };
  const sample = () => {
    const now = performance.now();
    const span = Math.floor((now - started) / spanMs);
    for (const [name, read] of peaks) {
      const values = series(name);
      values[span] = Math.max(values[span] ?? 0, Math.round(read()));
    }
    if (now - spanStart >= spanMs) closeSpan(started + span * spanMs);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return () => {
    clearInterval(timer);
    closeSpan(performance.now());
    return Object.fromEntries(
      Object.entries(out).map(([name, values]) => [name, Array.from(values, (v) => v ?? 0)]),
    );
  };
}

/**
 * One of the kernel's TcpExt counters (/proc/net/netstat: a line of names, then a line of values), 0 when
 * it cannot be read: TCPSynRetrans counts connection attempts whose SYN went unanswered for a second.
 */
export function tcpCounter(name: string, netstat = procText('/proc/net/netstat') ?? ''): number {
  const [names, values] = netstat.split('\n').filter((l) => l.startsWith('TcpExt:'));
  const at = names?.split(' ').indexOf(name) ?? -1;
  return at > 0 ? Number(values?.split(' ')[at] ?? 0) : 0;
}
