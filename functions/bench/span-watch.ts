// What the machine did in each span of a pass (the spans the load bench counts its slow requests in):
// where a burst of slow requests came from — which process was busy then, or whether the disk was.

export interface SpanMeters {
  /** Sampled every `everyMs`; the span keeps the highest value (the page cache's dirty MB). */
  peaks?: Record<string, () => number>;
  /** Cumulative counters (CPU ms); the span keeps their rise per second of the span, in % of one core. */
  rates?: Record<string, () => number>;
}

/** Starts sampling; the returned stop() answers each meter's values per span, in span order. */
export function watchSpans(
  spanMs: number,
  meters: SpanMeters,
  everyMs = 500,
): () => Record<string, number[]> {
  const started = performance.now();
  const out: Record<string, number[]> = {};
  const peaks = Object.entries(meters.peaks ?? {});
  const rates = Object.entries(meters.rates ?? {});
  let spanStart = started;
  const last = Object.fromEntries(rates.map(([name, read]) => [name, read()]));
  const closeSpan = (now: number) => {
    const span = Math.floor((spanStart - started) / spanMs);
    for (const [name, read] of rates) {
      const value = read();
      (out[name] ??= [])[span] = Math.round(((value - last[name]!) * 100) / Math.max(1, now - spanStart));
      last[name] = value;
    }
    spanStart = now;
  };
  const sample = () => {
    const now = performance.now();
    const span = Math.floor((now - started) / spanMs);
    for (const [name, read] of peaks) {
      const values = (out[name] ??= []);
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
