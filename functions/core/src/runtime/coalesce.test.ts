import { describe, expect, it } from 'vitest';
import { coalesced } from './coalesce.ts';

/** A `run` that records each batch it was given and doubles numbers, failing on any negative one. */
function doubler() {
  const batches: number[][] = [];
  const run = async (items: number[]) => {
    batches.push(items);
    if (items.some((n) => n < 0)) throw new Error(`negative in ${items.join(',')}`);
    return items.map((n) => n * 2);
  };
  return { batches, call: coalesced(run) };
}

describe('coalesced', () => {
  it('hands the items asked for in one turn to one run, each caller getting its own result', async () => {
    const { batches, call } = doubler();
    expect(await Promise.all([call(1), call(2), call(3)])).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('items asked for in later turns go in a batch of their own', async () => {
    const { batches, call } = doubler();
    const first = call(1);
    await new Promise((r) => setImmediate(r));
    const second = call(2);
    expect(await Promise.all([first, second])).toEqual([2, 4]);
    expect(batches).toEqual([[1], [2]]);
  });

  it('a failed batch is run again item by item: only the bad item’s caller fails', async () => {
    const { batches, call } = doubler();
    const results = await Promise.allSettled([call(1), call(-1), call(3)]);
    expect(results).toEqual([
      { status: 'fulfilled', value: 2 },
      { status: 'rejected', reason: new Error('negative in -1') },
      { status: 'fulfilled', value: 6 },
    ]);
    expect(batches).toEqual([[1, -1, 3], [1], [-1], [3]]);
  });
});
