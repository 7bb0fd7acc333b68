/**
 * One call for many concurrent callers: the items asked for within one turn of the event loop (a relay
 * round's deliveries, daprd's one per partition) are handed to `run` together, one round trip instead of
 * one each, and each caller gets its own result back (`run` answers in the items' order).
 *
 * A batch that fails is run again item by item, so one bad item fails only its own caller.
 */
export function coalesced<I, O>(run: (items: I[]) => Promise<O[]>): (item: I) => Promise<O> {
  interface Waiting {
    item: I;
    resolve: (result: O) => void;
    reject: (e: unknown) => void;
  }
  let waiting: Waiting[] = [];

  const runAlone = (w: Waiting) => run([w.item]).then((results) => w.resolve(results[0] as O), w.reject);

  async function flush(batch: Waiting[]) {
    if (batch.length === 1) return runAlone(batch[0]!);
    let results: O[];
    try {
      results = await run(batch.map((w) => w.item));
    } catch {
      for (const w of batch) void runAlone(w);
      return;
    }
    for (const [i, w] of batch.entries()) w.resolve(results[i] as O);
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      if (!waiting.length)
        setImmediate(() => {
          const batch = waiting;
          waiting = [];
          void flush(batch);
        });
      waiting.push({ item, resolve, reject });
    });
}
