// The load mix through our HTTP API: one keep-alive connection per user (as a browser holds one), over
// loopback to `npm start`'s process.
import { Agent, request } from 'node:http';
import type { MixClient } from './load-mix.ts';

/** What a read asks for: the user's own tasks, searched and sorted, one page. */
export const LIST_PATH = '/api/v1/tasks?search=load&sort_by=priority&limit=20';
export const LIST_QUERY = Object.fromEntries(new URL(LIST_PATH, 'http://x').searchParams);
/** The task a write creates (then completes). */
export const newTaskBody = (n: number) => ({ title: `Load task ${n}`, priority: 'high', tags: ['load'] });

interface Reply {
  status: number;
  body: string;
}

export interface HttpMix extends MixClient {
  /** Requests resent because a kept-alive connection had been closed by the server as it was reused. */
  readonly staleRetries: number;
  close(): void;
}

/** One client per run: `tokens[user]` is that user's access token. */
export function httpMix(port: number, tokens: string[]): HttpMix {
  const agents = tokens.map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
  let staleRetries = 0;
  let created = 0;

  /**
   * One request. The server closes a connection idle for 5 s; a user whose pause ends just then reuses
   * a socket that is being closed and gets ECONNRESET before any answer. Browsers resend in that case,
   * and Node's documentation gives the same rule (`req.reusedSocket`), so this does too, once, and counts it.
   */
  async function call(user: number, method: string, path: string, body?: unknown): Promise<Reply> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    try {
      return await callOnce(agents[user]!, port, tokens[user]!, method, path, text);
    } catch (e) {
      if (!(e as { staleSocket?: boolean }).staleSocket) throw e;
      staleRetries++;
      return callOnce(agents[user]!, port, tokens[user]!, method, path, text);
    }
  }

  const expect = (reply: Reply, status: number, what: string) => {
    if (reply.status !== status) throw new Error(`${what} ${reply.status}`);
    return reply;
  };

  return {
    get staleRetries() {
      return staleRetries;
    },
    async list(user) {
      expect(await call(user, 'GET', LIST_PATH), 200, 'list');
    },
    async create(user) {
      const reply = expect(await call(user, 'POST', '/api/v1/tasks', newTaskBody(created++)), 201, 'create');
      return (JSON.parse(reply.body) as { id: string }).id;
    },
    async complete(user, taskId) {
      expect(await call(user, 'POST', `/api/v1/tasks/${taskId}/complete`), 200, 'complete');
    },
    close() {
      for (const agent of agents) agent.destroy();
    },
  };
}

function callOnce(agent: Agent, port: number, token: string, method: string, path: string, body?: string) {
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
