import { describe, expect, it } from 'vitest';
import { CapacitySearch, type StepResult } from './capacity.ts';
import { Tally } from './load-mix.ts';

/** A system that keeps its latency bound at any rate up to `capacity` and misses it above. */
const stepAgainst =
  (capacity: number) =>
  (rate: number): StepResult => ({
    rate,
    ok: rate <= capacity,
    achieved: Math.min(rate, capacity),
    p99: { list: 1, create: 1, complete: 1 },
    tally: new Tally(),
  });

function searchFor(capacity: number, start: number, maxSteps = 8): CapacitySearch {
  const search = new CapacitySearch(start, maxSteps);
  const step = stepAgainst(capacity);
  for (let rate = search.next(); rate !== null; rate = search.next()) search.report(step(rate));
  return search;
}

describe('the capacity step search', () => {
  it('doubles up from a passing start, then bisects: within 10% below the capacity in 10 steps', () => {
    const s = searchFor(437, 50, 10);
    // 800 fails, and is run again before the search believes it.
    expect(s.steps.map((x) => x.rate).slice(0, 7)).toEqual([50, 100, 200, 400, 800, 800, 600]);
    expect(s.steps).toHaveLength(10);
    expect(s.pass?.rate).toBeLessThanOrEqual(437);
    expect(s.pass?.rate).toBeGreaterThanOrEqual(437 * 0.9);
    expect(s.fail?.rate).toBeGreaterThan(437);
  });

  it('halves down from a failing start until a step passes, then bisects', () => {
    const s = searchFor(437, 1000, 10);
    expect(s.steps.map((x) => x.rate).slice(0, 5)).toEqual([1000, 1000, 500, 500, 250]);
    expect(s.pass?.rate).toBeGreaterThanOrEqual(437 * 0.9);
    expect(s.describe()).toBe(`${s.pass?.rate} req/s`);
  });

  it('stops early once the highest pass and the lowest failure are within 5%', () => {
    const s = searchFor(100, 100, 20);
    expect(s.pass && s.fail && s.fail.rate - s.pass.rate).toBeLessThanOrEqual(5);
    expect(s.steps.length).toBeLessThan(20);
  });

  it('runs a failing rate again, and fails it only when the second step fails too', () => {
    const search = new CapacitySearch(300, 10);
    const noisy = new Set([0]); // the first step stalls; the same rate passes when run again
    const truth = stepAgainst(450);
    for (let rate = search.next(), i = 0; rate !== null; rate = search.next(), i++) {
      search.report({ ...truth(rate), ok: truth(rate).ok && !noisy.has(i) });
    }
    expect(search.steps.map((x) => x.rate).slice(0, 3)).toEqual([300, 300, 600]);
    expect(search.pass?.rate).toBeGreaterThanOrEqual(450 * 0.9);
    expect(search.fail?.rate).toBeGreaterThan(450);
  });

  it('says when the search did not bracket the capacity', () => {
    expect(searchFor(1e9, 10).describe()).toBe('≥ 1,280 req/s');
    expect(searchFor(0, 10).describe()).toBe('< 1 req/s');
  });
});
