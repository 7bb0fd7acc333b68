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

  const idleFor = (ms: number) =>
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
      await idleFor(next === false ? opts.idleMs : Math.max(0, Math.min(next, opts.idleMs)));
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

/** A LISTEN on one channel, kept up by listenToChannel(). */
export interface ChannelListener {
  /** Resolves once LISTEN is first in place (so nothing committed after it is missed). */
  ready: Promise<void>;
  /** Whether LISTEN is in place right now. */
  readonly listening: boolean;
  close(): Promise<void>;
}

/**
 * LISTENs on a Postgres channel on a dedicated connection and calls `onNotify` with every NOTIFY's
 * payload. A lost connection is re-established after `retryMs`; a NOTIFY sent meanwhile is gone, so
 * `onListening` is told each time LISTEN is in place (`reconnected` after a loss) to catch up — the outbox
 * relay polls, the live hub tells browsers to refetch. With `failFast`, a first connection that fails
 * rejects `ready` and gives up (the caller reports it); otherwise it retries until it succeeds.
 */
export function listenToChannel(opts: {
  databaseUrl: string;
  channel: string;
  onNotify: (payload: string | undefined) => void;
  onListening?: (reconnected: boolean) => void;
  log: Logger;
  retryMs?: number;
  failFast?: boolean;
}): ChannelListener {
  let closed = false;
  let client: pg.Client | undefined;
  let listening = false;
  let everListened = false;
  let retry: NodeJS.Timeout | undefined;
  let settle: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // A `ready` nobody awaits must not be an unhandled rejection.
  ready.catch(() => {});

  async function connect() {
    if (closed) return;
    const c = new pg.Client({ connectionString: opts.databaseUrl });
    client = c;
    c.on('notification', (msg) => {
      if (msg.channel === opts.channel) opts.onNotify(msg.payload);
    });
    c.on('error', (e) => lost(c, e));
    c.on('end', () => lost(c));
    try {
      await c.connect();
      await c.query(`listen ${pg.escapeIdentifier(opts.channel)}`);
      if (client !== c) return;
      listening = true;
      const reconnected = everListened;
      everListened = true;
      settle?.resolve();
      settle = undefined;
      opts.onListening?.(reconnected);
    } catch (e) {
      if (opts.failFast && !everListened) {
        closed = true;
        client = undefined;
        if (retry) clearTimeout(retry);
        await c.end().catch(() => {});
        settle?.reject(e);
        return;
      }
      opts.log.warn(`listen ${opts.channel}: could not connect; will retry`, { err: e });
      lost(c);
    }
  }

  function lost(c: pg.Client, err?: Error) {
    if (closed || client !== c || retry) return;
    if (listening) opts.log.warn(`listen ${opts.channel}: lost the connection; reconnecting`, { err });
    client = undefined;
    listening = false;
    c.end().catch(() => {});
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, opts.retryMs ?? 1000);
  }

  void connect();
  return {
    ready,
    get listening() {
      return listening;
    },
    async close() {
      closed = true;
      listening = false;
      if (retry) clearTimeout(retry);
      settle?.reject(new Error(`listen ${opts.channel}: closed before LISTEN was in place`));
      settle = undefined;
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
