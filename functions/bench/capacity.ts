// Capacity: the highest offered request rate at which every request kind keeps p99 within a bound. Open
// loop (arrivals at a fixed rate, whatever the answers do), so a slow server faces the same arrivals and
// its latency shows as latency, not as fewer requests sent (a closed loop hides that: coordinated omission).
import { sleep } from '@todo/core/runtime/time';
import { type MixClient, type Outcome, REQUEST_KINDS, type RequestKind, Tally, timed } from './load-mix.ts';
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

/** A task created in this step and not completed yet: who created it, and its id once answered. */
interface Created {
  user: number;
  id: Promise<string | undefined>;
}

/**
 * One step: `rate` arrivals per second for `seconds`. An arrival is a read, a create, or the complete of
 * the oldest task created and not yet completed (by the user who created it: a write session's second
 * half), in the closed-loop passes' proportions — w/(1+w) each for create and complete, the rest reads,
 * for a write share w of sessions. Reads and creates go round-robin to the users. A user's requests go
 * one after another (one connection, as in the passes); latency counts from the scheduled arrival, so
 * waiting behind the user's previous request counts too. The first second (at most a fifth of the step)
 * is warm-up and not measured.
 */
export async function openLoopStep(client: MixClient, rate: number, o: StepOptions): Promise<StepResult> {
  const tally = new Tally();
  const tails: Promise<void>[] = Array.from({ length: o.users }, () => Promise.resolve());
  const uncompleted: Created[] = [];
  const writeRequestShare = o.writeShare / (1 + o.writeShare);
  const interval = 1000 / rate;
  const total = Math.max(1, Math.round(rate * o.seconds));
  const warmupMs = Math.min(1000, (o.seconds * 1000) / 5);
  // Little's law: more in flight than a second's arrivals means a mean latency over a second, far past
  // any bound; the step has failed, and sending on would only lengthen the drain.
  const maxInFlight = Math.max(100, rate);
  let inFlight = 0;
  let measuredUntil = 0;
  const start = performance.now();

  /** Queues a request on `user`'s connection, timed from `scheduled`; counted unless it is warm-up. */
  const enqueue = <T>(
    user: number,
    scheduled: number,
    send: () => Promise<{ outcome: Outcome; value?: T } | undefined>,
  ) => {
    inFlight++;
    const run = tails[user]!.then(send);
    tails[user] = run.then((r) => {
      inFlight--;
      if (!r || scheduled < start + warmupMs) return;
      tally.add(r.outcome);
      measuredUntil = performance.now();
    });
    return run;
  };

  const fire = (nextUser: number, scheduled: number) => {
    const roll = Math.random();
    const task = roll < writeRequestShare ? uncompleted.shift() : undefined;
    if (task) {
      enqueue(task.user, scheduled, async () => {
        const id = await task.id;
        // No id: its create failed (and was counted), so there is nothing to complete.
        return id ? timed('complete', scheduled, () => client.complete(task.user, id)) : undefined;
      });
    } else if (roll < 2 * writeRequestShare) {
      const run = enqueue(nextUser, scheduled, () =>
        timed('create', scheduled, () => client.create(nextUser)),
      );
      uncompleted.push({ user: nextUser, id: run.then((r) => r?.value) });
    } else {
      enqueue(nextUser, scheduled, () => timed('list', scheduled, () => client.list(nextUser)));
    }
  };

  let sent = 0;
  let overloaded = false;
  while (sent < total && !overloaded) {
    const now = performance.now();
    for (; sent < total && start + sent * interval <= now; sent++) {
      fire(sent % o.users, start + sent * interval);
    }
    overloaded = inFlight > maxInFlight;
    await sleep(1);
  }
  await Promise.all(tails);

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
 * `resolution` of each other or `maxSteps` steps have run. A rate fails only when two steps at it fail
 * in a row: a failing step is run once more before the search believes it. One 8 s step's p99 is a few
 * dozen requests, and on these shared cores one stall of 200 ms (a neighbour, autovacuum starting) fails
 * it: at 299 req/s ours' first step had p99 213 ms in every kind alike, then the search bisected below
 * that rate and stopped at 290, where the step's p99 was 16–27 ms. Both sides' searches follow this rule.
 */
export class CapacitySearch {
  /** Highest rate that passed, lowest that failed (twice in a row). */
  pass?: StepResult;
  fail?: StepResult;
  readonly steps: StepResult[] = [];
  private rate: number;
  /** A failing step at `rate` that has not been run again yet. */
  private unconfirmed?: StepResult;

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
    // Bracketed closely enough (or not at all, when noise made a rate fail below one that passed).
    if (this.pass && this.fail) {
      const gap = this.fail.rate - this.pass.rate;
      if (gap <= Math.max(1, this.pass.rate * this.resolution)) return null;
    }
    return this.rate;
  }

  report(step: StepResult): void {
    this.steps.push(step);
    if (!step.ok && !this.unconfirmed) {
      // Run the same rate again before believing it fails.
      this.unconfirmed = step;
      return;
    }
    this.unconfirmed = undefined;
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
