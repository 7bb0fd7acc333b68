import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { readsFirst } from './reads-first.ts';

const pools: pg.Pool[] = [];
function onePool(connectionString = inject('adminDatabaseUrl')): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: 1, connectionTimeoutMillis: 5000 });
  pools.push(pool);
  return pool;
}
const patient = { stallMs: 5000, maxWaitMs: 5000 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.end().catch(() => {})));
});

describe('readsFirst', () => {
  it('gives a connection handed back to a waiting read before a write that waited longer', async () => {
    const lanes = readsFirst(onePool(), 1, patient);
    const held = await lanes.write.connect();
    const order: string[] = [];
    const write = lanes.write.connect().then((c) => {
      order.push('write');
      c.release();
    });
    const read = lanes.read.connect().then(async (c) => {
      order.push('read');
      await c.query('select 1');
      c.release();
    });
    held.release();
    await Promise.all([write, read]);
    expect(order).toEqual(['read', 'write']);
  });

  it('serves each lane in the order it waited', async () => {
    const lanes = readsFirst(onePool(), 1, patient);
    const held = await lanes.read.connect();
    const order: number[] = [];
    const reads = [1, 2, 3].map((n) =>
      lanes.read.connect().then((c) => {
        order.push(n);
        c.release();
      }),
    );
    held.release();
    await Promise.all(reads);
    expect(order).toEqual([1, 2, 3]);
  });

  it('fails a wait when no connection comes back for stallMs, with the acquire-timeout message the API answers as a 503, and the lane still works', async () => {
    const lanes = readsFirst(onePool(), 1, { stallMs: 50, maxWaitMs: 5000 });
    const held = await lanes.write.connect();
    await expect(lanes.write.connect()).rejects.toThrow(/timeout exceeded when trying to connect/);
    held.release();
    const next = await lanes.write.connect();
    expect((await next.query('select 1 as one')).rows[0].one).toBe(1);
    next.release();
  });

  it('keeps a wait going past stallMs while connections come back (busy, not stuck)', async () => {
    const lanes = readsFirst(onePool(), 1, { stallMs: 500, maxWaitMs: 10_000 });
    let held = await lanes.write.connect();
    const waits = [1, 2, 3, 4].map(() => lanes.write.connect());
    // Each connection is held 200 ms: the last wait lasts ~800 ms, past stallMs, with a hand-back every 200.
    for (const wait of waits) {
      await sleep(200);
      held.release();
      held = await wait;
    }
    held.release();
  });

  it('fails a wait after maxWaitMs even while connections come back', async () => {
    const lanes = readsFirst(onePool(), 1, { stallMs: 5000, maxWaitMs: 50 });
    const held = await lanes.write.connect();
    await expect(lanes.write.connect()).rejects.toThrow(/timeout exceeded when trying to connect/);
    held.release();
  });

  it('hands the connection back when connecting fails, so the next waiter gets its turn', async () => {
    // Nothing listens on port 1: each connect is refused at once.
    const lanes = readsFirst(onePool('postgres://nobody@127.0.0.1:1/none'), 1, patient);
    const results = await Promise.allSettled([lanes.write.connect(), lanes.read.connect()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/ECONNREFUSED/);
  });

  it('ends the pool once, whichever lane ends it first', async () => {
    const pool = onePool();
    const lanes = readsFirst(pool, 1, patient);
    await Promise.all([lanes.read.end(), lanes.write.end()]);
    expect(pool.ended).toBe(true);
  });
});
