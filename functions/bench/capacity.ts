// Capacity: the highest offered request rate at which every request kind keeps p99 within a bound. Open
// loop (arrivals at a fixed rate, whatever the answers do), so a slow server faces the same arrivals and
// its latency shows as latency, not as fewer requests sent (a closed loop hides that: coordinated omission).
import { sleep } from '@todo/core/runtime/time';
import { type MixClient, REQUEST_KINDS, type RequestKind, Tally, timed } from './load-mix.ts';
import { percentile } from './stats.ts';

export interface StepResult {
  /** Offered requests per second. */
  rate: number;
  ok: boolean;
  /** Requests answered per second over the measured part of the step. */
  achieved: number;
  p99: Record<RequestKind, number>;
  tally: Tally;
  /** Why it failed: a kind over the bound, errors, or more in flight than the bound allows. */
  why?: string;
}

export interface StepOptions {
  users: number;
  seconds: number;
  writeShare: number;
  p99BoundMs: number;
}

/** A user's requests go one after another (one connection, as in the closed-loop passes). */
interface UserState {
  tail: Promise<void>;
  /** The id of the task the user's last write created; their next arrival completes it. */
  created: Promise<string | undefined> | null;
}

/**
 * One step: `rate` arrivals per second for `seconds`, handed round-robin to the users. An arrival is a
 * read, or the first half of a write session (create) whose second half (complete) is that user's next
 * arrival, so the request mix matches the closed-loop passes. Latency counts from the scheduled arrival,
 * so waiting behind the user's previous request counts too. The first second (at most a fifth of the
 * step) is warm-up and not measured.
 */
export async function openLoopStep(client: MixClient, rate: number, o: StepOptions): Promise<StepResult> {
  const tally = new Tally();
  const users: UserState[] = Array.from({ length: o.users }, () => ({
    tail: Promise.resolve(),
    created: null,
  }));
  const interval = 1000 / rate;
  const total = Math.max(1, Math.round(rate * o.seconds));
  const warmupMs = Math.min(1000, (o.seconds * 1000) / 5);
  // Little's law: more in flight than a second's arrivals means a mean latency over a second, far past
  // any bound; the step has failed, and sending on would only lengthen the drain.
  const maxInFlight = Math.max(100, rate);
  let inFlight = 0;
  let measuredUntil = 0;
  const start = performance.now();

  const fire = (user: UserState, index: number, scheduled: number) => {
    const created = user.created;
    const kind: RequestKind = created ? 'complete' : Math.random() < o.writeShare ? 'create' : 'list';
    inFlight++;
    const run = user.tail.then(async () => {
      if (kind === 'list') return timed('list', scheduled, () => client.list(index));
      if (kind === 'create') return timed('create', scheduled, () => client.create(index));
      const id = await created;
      // Its create failed (and was counted): there is nothing to complete.
      return id ? timed('complete', scheduled, () => client.complete(index, id)) : undefined;
    });
    user.created = kind === 'create' ? run.then((r) => r?.value as string | undefined) : null;
    user.tail = run.then((r) => {
      inFlight--;
      if (!r || scheduled < start + warmupMs) return;
      tally.add(r.outcome);
      measuredUntil = performance.now();
    });
  };

  let sent = 0;
  let overloaded = false;
  while (sent < total && !overloaded) {
    const now = performance.now();
    for (; sent < total && start + sent * interval <= now; sent++) {
      fire(users[sent % o.users]!, sent % o.users, start + sent * interval);
    }
    overloaded = inFlight > maxInFlight;
    await sleep(1);
  }
  await Promise.all(users.map((u) => u.tail));

  const p99 = Object.fromEntries(REQUEST_KINDS.map((k) => [k, percentile(tally.ms[k], 99)])) as Record<
    RequestKind,
    number
  >;
  const over = REQUEST_KINDS.filter((k) => p99[k] > o.p99BoundMs);
  const why = overloaded
    ? `over ${maxInFlight} requests in flight`
    : tally.errorCount
      ? `errors: ${tally.describeErrors()}`
      : over.length
        ? over.map((k) => `${k} p99 ${Math.round(p99[k])} ms`).join(', ')
        : undefined;
  const measuredMs = Math.max(1, measuredUntil - (start + warmupMs));
  return { rate, ok: !why, achieved: (tally.requests * 1000) / measuredMs, p99, tally, why };
}

/**
 * A bounded step search for the highest passing rate: from `start`, double until a step fails (or halve
 * until one passes), then bisect between the highest pass and the lowest failure until they are within
 * `resolution` of each other or `maxSteps` steps have run.
 */
export class CapacitySearch {
  /** Highest rate that passed, lowest that failed. */
  pass?: StepResult;
  fail?: StepResult;
  readonly steps: StepResult[] = [];
  private rate: number;

  constructor(
    start: number,
    private readonly maxSteps: number,
    private readonly resolution = 0.05,
  ) {
    this.rate = Math.max(1, Math.round(start));
  }

  /** The next rate to try, or null when the search is done. */
  next(): number | null {
    if (this.steps.length >= this.maxSteps) return null;
    if (this.pass && this.fail && this.fail.rate - this.pass.rate <= this.pass.rate * this.resolution)
      return null;
    if (this.pass && this.fail && this.fail.rate - this.pass.rate <= 1) return null;
    return this.rate;
  }

  report(step: StepResult): void {
    this.steps.push(step);
    if (step.ok && (!this.pass || step.rate > this.pass.rate)) this.pass = step;
    if (!step.ok && (!this.fail || step.rate < this.fail.rate)) this.fail = step;
    if (!this.fail) this.rate = this.rate * 2;
    else if (!this.pass) this.rate = Math.max(1, Math.floor(this.rate / 2));
    else this.rate = Math.round((this.pass.rate + this.fail.rate) / 2);
  }

  /** The capacity as text: the highest passing rate, or a bound when the search did not bracket it. */
  describe(): string {
    if (!this.pass) return this.fail ? `< ${this.fail.rate} req/s` : 'n/a';
    return `${this.fail ? '' : '≥ '}${this.pass.rate.toLocaleString('en')} req/s`;
  }
}
