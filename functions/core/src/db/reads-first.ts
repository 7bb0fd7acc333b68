import type pg from 'pg';

/** The queue a request for a connection waits in when every connection is taken. */
export type Lane = 'read' | 'write';

/** What Kysely's PostgresDialect needs of a pool. */
export interface LanePool {
  connect(): Promise<pg.PoolClient>;
  end(): Promise<void>;
}

interface Waiter {
  admit(): void;
  timer: NodeJS.Timeout;
}

/**
 * Hands out a pool's `size` connections reads first: with every connection taken, a request waits in its
 * lane, and a connection given back goes to the longest-waiting read before any write.
 *
 * Why: in a cluster, list-tasks is a function with a pool of its own, so no queue of writes stands in
 * front of a read. The embedded default serves every function from one pool, and under overload a read
 * waited behind every queued write. The wait moves to the writes; it does not go away (Little's law).
 *
 * A wait longer than `maxWaitMs` fails with pg-pool's own acquire-timeout message, which the API answers
 * as a 503, as it does when the pool itself gives up.
 */
export function readsFirst(pool: pg.Pool, size: number, maxWaitMs: number): Record<Lane, LanePool> {
  let free = size;
  const waiting: Record<Lane, Waiter[]> = { read: [], write: [] };
  let ended: Promise<void> | undefined;

  function handBack(): void {
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
      const waiter: Waiter = {
        admit,
        timer: setTimeout(() => {
          waiting[lane].splice(waiting[lane].indexOf(waiter), 1);
          reject(new Error('timeout exceeded when trying to connect'));
        }, maxWaitMs),
      };
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
