// HTTP load, embedded mode: `npm start`'s process (dist/local.js, the web app left out) on its own, with
// `users` concurrent users each looping over a mixed read/write session for `durationMs`. The load comes
// from this process over loopback with keep-alive connections (one per user), as browsers would hold.
import { Agent, request } from 'node:http';
import { issueTokenForNewSession } from '@todo/core/accounts/sessions';
import { sleep } from '@todo/core/runtime/time';
import { sql } from 'kysely';
import type { LocalStack } from '../local/stack.ts';
import { startLocalProcess } from '../testing/local-process.ts';
import { type BenchRow, ms, percentile } from './stats.ts';

export interface LoadOptions {
  users?: number;
  durationMs?: number;
  /** Share of requests that write (create, then complete, a task). */
  writeShare?: number;
  /** Mean pause between a user's actions in the second pass (default 5 s). */
  thinkMs?: number;
}

interface Reply {
  status: number;
  body: string;
}

/** Requests resent because a kept-alive connection had been closed by the server as it was reused. */
const staleConnectionRetries = { count: 0 };

/**
 * One request. The server closes a connection idle for 5 s; a user whose pause ends just then reuses a
 * socket that is being closed and gets ECONNRESET before any answer. Browsers resend in that case, and
 * Node's documentation gives the same rule (`req.reusedSocket`), so this does too, once, and counts it.
 */
async function call(agent: Agent, port: number, method: string, path: string, token: string, body?: string) {
  try {
    return await callOnce(agent, port, method, path, token, body);
  } catch (e) {
    if (!(e as { staleSocket?: boolean }).staleSocket) throw e;
    staleConnectionRetries.count++;
    return callOnce(agent, port, method, path, token, body);
  }
}

function callOnce(agent: Agent, port: number, method: string, path: string, token: string, body?: string) {
  return new Promise<Reply>((done, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => done({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) =>
      fail(req.reusedSocket && e.code === 'ECONNRESET' ? Object.assign(e, { staleSocket: true }) : e),
    );
    req.end(body);
  });
}

/** One user's session: mostly listing (their own tasks, searched and sorted), sometimes adding and completing. */
async function userLoop(
  agent: Agent,
  port: number,
  token: string,
  until: number,
  writeShare: number,
  thinkMs: number,
  record: (ms: number, ok: boolean, what: string, why?: string) => void,
) {
  let i = 0;
  // With think time, users start spread over one mean pause and then pause exponentially between actions.
  const pause = () =>
    thinkMs > 0 ? sleep(Math.min(-thinkMs * Math.log(1 - Math.random()), 10 * thinkMs)) : null;
  if (thinkMs > 0) await sleep(Math.random() * thinkMs);
  while (performance.now() < until) {
    const write = Math.random() < writeShare;
    const start = performance.now();
    let ok = false;
    let why: string | undefined;
    let what = write ? 'write' : 'read';
    try {
      if (write) {
        const created = await call(
          agent,
          port,
          'POST',
          '/api/v1/tasks',
          token,
          JSON.stringify({ title: `Load task ${i++}`, priority: 'high', tags: ['load'] }),
        );
        ok = created.status === 201;
        if (!ok) why = `create ${created.status}`;
        if (ok) {
          const id = (JSON.parse(created.body) as { id: string }).id;
          const done = await call(agent, port, 'POST', `/api/v1/tasks/${id}/complete`, token);
          ok = done.status === 200;
          if (!ok) why = `complete ${done.status}`;
          what = 'write (create + complete)';
        }
      } else {
        const listed = await call(
          agent,
          port,
          'GET',
          '/api/v1/tasks?search=load&sort_by=priority&limit=20',
          token,
        );
        ok = listed.status === 200;
        if (!ok) why = `list ${listed.status}`;
      }
    } catch (e) {
      ok = false;
      why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    }
    record(performance.now() - start, ok, what, why);
    await pause();
  }
}

interface Pass {
  sessions: number;
  errors: number;
  /** What the errors were: an HTTP status per step, or the socket error code. */
  why: Map<string, number>;
  /** Requests resent once on a stale kept-alive connection (not errors: a browser does the same). */
  retried: number;
  reads: number[];
  writes: number[];
}

/** Every user's loop at once for `durationMs`, on connections of their own. */
async function runPass(
  port: number,
  tokens: string[],
  durationMs: number,
  writeShare: number,
  thinkMs: number,
): Promise<Pass> {
  const pass: Pass = { sessions: 0, errors: 0, why: new Map(), retried: 0, reads: [], writes: [] };
  const record = (t: number, ok: boolean, what: string, why?: string) => {
    pass.sessions++;
    (what === 'read' ? pass.reads : pass.writes).push(t);
    if (ok) return;
    pass.errors++;
    pass.why.set(why ?? 'unknown', (pass.why.get(why ?? 'unknown') ?? 0) + 1);
  };
  const agents = tokens.map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
  const retriedBefore = staleConnectionRetries.count;
  const until = performance.now() + durationMs;
  try {
    await Promise.all(
      tokens.map((token, i) => userLoop(agents[i]!, port, token, until, writeShare, thinkMs, record)),
    );
  } finally {
    for (const agent of agents) agent.destroy();
  }
  pass.retried = staleConnectionRetries.count - retriedBefore;
  return pass;
}

function passRows(pass: Pass, label: string, seconds: number): BenchRow[] {
  return [
    {
      metric: `HTTP load: sessions, errors (${label})`,
      ours: `${pass.sessions.toLocaleString('en')} sessions (${Math.round(pass.sessions / seconds)}/s), ${pass.errors} errors${pass.errors ? ` (${[...pass.why].map(([k, n]) => `${k} ×${n}`).join(', ')})` : ''}${pass.retried ? `; ${pass.retried} resent on a stale keep-alive connection` : ''}`,
      reference: '—',
      ratio: 'n/a',
      target: '0 errors',
    },
    {
      metric: '  read (list + search + sort) p50 / p99',
      ours: `${ms(percentile(pass.reads, 50))} / ${ms(percentile(pass.reads, 99))}`,
      reference: '—',
      ratio: 'n/a',
      target: 'p99 ≤ 100 ms',
    },
    {
      metric: '  write (create, then complete: 2 requests) p50 / p99',
      ours: `${ms(percentile(pass.writes, 50))} / ${ms(percentile(pass.writes, 99))}`,
      reference: '—',
      ratio: 'n/a',
      target: 'p99 ≤ 100 ms per request',
    },
  ];
}

export async function benchHttpLoad(
  stack: LocalStack,
  databaseUrl: string,
  jwtSecret: string,
  opts: LoadOptions = {},
): Promise<BenchRow[]> {
  const users = opts.users ?? 1000;
  const durationMs = opts.durationMs ?? 60_000;
  const writeShare = opts.writeShare ?? 0.2;
  const thinkMs = opts.thinkMs ?? 5000;
  // Users straight into the table (signing up 1,000 people would benchmark scrypt instead).
  const { rows } = await sql<{ id: string }>`
    insert into users (email, password_hash)
    select 'load-' || gen_random_uuid() || '@bench.local', 'x' from generate_series(1, ${users})
    returning id`.execute(stack.db);
  const ids = rows.map((r) => r.id);
  const server = await startLocalProcess({
    env: { DATABASE_URL: databaseUrl, JWT_SECRET: jwtSecret, TODO_WEB: 'off', LOG_LEVEL: 'error' },
    timeoutMs: 60_000,
  });
  try {
    const tokens = await Promise.all(ids.map((id) => issueTokenForNewSession(stack.db, id, jwtSecret, 3600)));
    const seconds = durationMs / 1000;
    const mix = `${Math.round((1 - writeShare) * 100)}% reads`;
    // Closed loop with no pause: every user fires again as soon as answered, so this measures capacity
    // and the latency is queueing once the offered load exceeds it.
    const flat = await runPass(server.port, tokens, durationMs, writeShare, 0);
    // The same users as people use a todo app: a pause between actions (mean thinkMs, exponential).
    const paced = await runPass(server.port, tokens, durationMs, writeShare, thinkMs);
    const people = users.toLocaleString('en');
    return [
      ...passRows(flat, `${people} users, no think time, ${seconds} s, ${mix}, embedded`, seconds),
      ...passRows(
        paced,
        `${people} users, ${thinkMs / 1000} s mean think time, ${seconds} s, ${mix}`,
        seconds,
      ),
    ];
  } finally {
    await server.stop();
    await stack.db.deleteFrom('users').where('id', 'in', ids).execute();
  }
}
