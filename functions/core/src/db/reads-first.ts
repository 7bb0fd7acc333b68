import type pg from 'pg';

/** The queue a request for a connection waits in when every connection is taken. */
export type Lane = 'read' | 'write';

/** What Kysely's PostgresDialect needs of a pool. */
export interface LanePool {
  connect(): Promise<pg.PoolClient>;
  end(): Promise<void>;
}

/** When a wait for a taken connection gives up. */
export interface WaitBounds {
  /** Once no connection has come back for this long: the database is stuck, not busy. */
  stallMs: number;
  /** Once it has waited this long, busy or not. */
  maxWaitMs: number;
}

interface Waiter {
  admit(): void;
  timer?: NodeJS.Timeout;
}

/**
 * Hands out a pool's `size` connections reads first: with every connection taken, a request waits in its
 * lane, and a connection given back goes to the longest-waiting read before any write.
 *
 * Why: in a cluster, list-tasks is a function with a pool of its own, so no queue of writes stands in
 * front of a read. The embedded default serves every function from one pool, and under overload a read
 * waited behind every queued write. The wait moves to the writes; it does not go away (Little's law).
 *
 * A wait ends (`bounds`) when connections stop coming back, as a stuck database makes them, or after a
 * long time at most; it fails with pg-pool's own acquire-timeout message, which the API answers as a 503.
 * A busy database hands connections back all the time, so a queue behind it waits its turn instead.
 */
export function readsFirst(pool: pg.Pool, size: number, bounds: WaitBounds): Record<Lane, LanePool> {
  let free = size;
  const waiting: Record<Lane, Waiter[]> = { read: [], write: [] };
  let ended: Promise<void> | undefined;
  let handedBackAt = 0;

  function handBack(): void {
    handedBackAt = Date.now();
    const next = waiting.read.shift() ?? waiting.write.shift();
    if (!next) {
      free++;
      return;
    }
    clearTimeout(next.timer);
    next.admit();
  }

  function waitIn(lane: Lane): Promise<void> {
    return new Promise((admit, reject) => {
      const since = Date.now();
      const waiter: Waiter = { admit };
      // Looks again when the wait could first be over: the stall counts from the last connection handed
      // back, or from this wait's start if none came back since.
      const check = () => {
        const now = Date.now();
        const stalledFor = now - Math.max(handedBackAt, since);
        const waitedFor = now - since;
        if (stalledFor < bounds.stallMs && waitedFor < bounds.maxWaitMs) {
          waiter.timer = setTimeout(
            check,
            Math.min(bounds.stallMs - stalledFor, bounds.maxWaitMs - waitedFor),
          );
          return;
        }
        waiting[lane].splice(waiting[lane].indexOf(waiter), 1);
        reject(new Error('timeout exceeded when trying to connect'));
      };
      waiter.timer = setTimeout(check, Math.min(bounds.stallMs, bounds.maxWaitMs));
      waiting[lane].push(waiter);
    });
  }

  function lane(name: Lane): LanePool {
    return {
      async connect() {
        if (free > 0) free--;
        else await waitIn(name);
        let client: pg.PoolClient;
        try {
          client = await pool.connect();
        } catch (e) {
          handBack();
          throw e;
        }
        // pg-pool gives each checkout a fresh release that throws when called twice, so this hands the
        // connection on exactly once.
        const release = client.release;
        client.release = (err?: Error | boolean) => {
          release.call(client, err);
          handBack();
        };
        return client;
      },
      // Both lanes' Kysely instances end the one pool.
      end: () => (ended ??= pool.end()),
    };
  }

  return { read: lane('read'), write: lane('write') };
}
