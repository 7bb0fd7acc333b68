import pg from 'pg';
import type { Logger } from './log.ts';

/**
 * A background loop that runs `tick` until stopped: again at once when a tick did work, otherwise after
 * `idleMs` (or sooner when `wake()` is called). stop() waits for the tick in progress to finish.
 */
export interface BackgroundLoop {
  start(): void;
  wake(): void;
  stop(): Promise<void>;
}

export function backgroundLoop(opts: {
  name: string;
  log: Logger;
  /** Returns true when it did work (so the next tick runs at once), or a delay in ms for the next tick. */
  tick: () => Promise<boolean | number>;
  idleMs: number;
}): BackgroundLoop {
  let running = false;
  let done: Promise<void> = Promise.resolve();
  let wakeUp: (() => void) | undefined;
  let woken = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken || !running) {
        woken = false;
        resolve();
        return;
      }
      const timer = setTimeout(finish, ms);
      function finish() {
        clearTimeout(timer);
        wakeUp = undefined;
        woken = false;
        resolve();
      }
      wakeUp = finish;
    });

  async function run() {
    while (running) {
      let next: boolean | number;
      try {
        next = await opts.tick();
      } catch (e) {
        // A lost database connection or similar: keep the loop alive and try again after the idle delay.
        opts.log.error(`${opts.name}: tick failed`, { err: e });
        next = false;
      }
      if (!running) break;
      if (next === true) continue;
      await sleep(next === false ? opts.idleMs : Math.max(0, Math.min(next, opts.idleMs)));
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      done = run();
    },
    wake() {
      woken = true;
      wakeUp?.();
    },
    async stop() {
      running = false;
      wakeUp?.();
      await done;
    },
  };
}

/**
 * LISTENs on a Postgres channel on a dedicated connection and calls `onNotify` for every NOTIFY. A lost
 * connection is re-established after a pause; callers keep a poll as the fallback for that gap.
 */
export function listenToChannel(opts: {
  databaseUrl: string;
  channel: string;
  onNotify: () => void;
  log: Logger;
  retryMs?: number;
}): { ready: Promise<void>; close(): Promise<void> } {
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  async function connect() {
    if (closed) return;
    const c = new pg.Client({ connectionString: opts.databaseUrl });
    client = c;
    c.on('notification', (msg) => {
      if (msg.channel === opts.channel) opts.onNotify();
    });
    c.on('error', () => reconnect(c));
    c.on('end', () => reconnect(c));
    try {
      await c.connect();
      await c.query(`listen ${pg.escapeIdentifier(opts.channel)}`);
      markReady();
      // Anything committed while we were not listening is found by this catch-up nudge.
      opts.onNotify();
    } catch (e) {
      opts.log.warn(`listen ${opts.channel}: could not connect; relying on polling meanwhile`, { err: e });
      reconnect(c);
    }
  }

  function reconnect(c: pg.Client) {
    if (closed || client !== c || retry) return;
    client = undefined;
    c.end().catch(() => {});
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, opts.retryMs ?? 1000);
  }

  void connect();
  return {
    ready,
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
