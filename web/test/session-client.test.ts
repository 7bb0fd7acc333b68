import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createSessionClient,
  refreshDelayMs,
  type SessionClient,
  type SignedIn,
} from '../lib/session-client.ts';

/**
 * The session client against a small HTTP server that behaves like the auth contract: a refresh needs
 * the CSRF header and the current refresh cookie, rotates it, and treats a second use of an old cookie
 * as theft (the whole session is revoked). Only the newest access token is accepted, as if older ones
 * had expired. The client's fetch keeps a cookie jar, as a browser would.
 */
const user = { id: 'u1', email: 'ana@example.com', time_zone: 'Europe/London', email_verified: true };

interface AuthServer {
  base: string;
  refreshCalls: number;
  taskCalls: number;
  revoked: boolean;
  cookie: string;
  token: string;
  close(): Promise<void>;
}

async function startAuthServer(): Promise<AuthServer> {
  let generation = 1;
  const state = {
    refreshCalls: 0,
    taskCalls: 0,
    revoked: false,
    cookie: 'r1',
    token: 't1',
  };
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST' && req.url === '/api/v1/auth/refresh') {
      state.refreshCalls++;
      if (req.headers['x-todo-csrf'] !== '1') return json(res, 403, { title: 'Forbidden' });
      const sent = /todo_refresh=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
      // Slow enough that overlapping calls really overlap.
      await new Promise((r) => setTimeout(r, 40));
      if (state.revoked || !sent) return json(res, 401, { title: 'Unauthorized' });
      if (sent !== state.cookie) {
        state.revoked = true; // reuse of a rotated cookie: theft
        return json(res, 401, { title: 'Unauthorized', detail: 'session revoked' });
      }
      generation++;
      state.cookie = `r${generation}`;
      state.token = `t${generation}`;
      return json(
        res,
        200,
        { token: state.token, expires_in: 900, user },
        { 'set-cookie': `todo_refresh=${state.cookie}; HttpOnly; Path=/api/v1/auth; SameSite=Strict` },
      );
    }
    if (req.url === '/api/v1/tasks') {
      state.taskCalls++;
      if (req.headers.authorization !== `Bearer ${state.token}` || state.revoked) {
        return json(res, 401, { title: 'Unauthorized' });
      }
      return json(res, 200, { items: [] });
    }
    json(res, 404, { title: 'Not Found' });
  };
  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    base: `http://127.0.0.1:${port}/api/v1`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  });
}

/** fetch with one browser's cookie jar (only the refresh cookie matters here). */
function browserFetch(jar: { cookie: string }): typeof fetch {
  return async (input, init = {}) => {
    const headers = new Headers(init.headers);
    if (init.credentials === 'include' && jar.cookie) headers.set('cookie', `todo_refresh=${jar.cookie}`);
    const res = await fetch(input, { ...init, headers });
    for (const c of res.headers.getSetCookie()) {
      const value = /^todo_refresh=([^;]*)/.exec(c)?.[1];
      if (value !== undefined) jar.cookie = value;
    }
    return res;
  };
}

let server: AuthServer;
let client: SessionClient;
let jar: { cookie: string };

beforeEach(async () => {
  server = await startAuthServer();
  jar = { cookie: 'r1' };
  client = createSessionClient({ base: server.base, fetch: browserFetch(jar), locks: null });
});

afterEach(async () => {
  client.dispose();
  await server.close();
});

describe('session client: refresh', () => {
  it('the test server revokes the session when one refresh cookie is used twice (why coalescing matters)', async () => {
    const post = () =>
      fetch(`${server.base}/auth/refresh`, {
        method: 'POST',
        headers: { 'x-todo-csrf': '1', cookie: 'todo_refresh=r1' },
      });
    const [a, b] = await Promise.all([post(), post()]);
    expect([a.status, b.status].sort()).toEqual([200, 401]);
    expect(server.revoked).toBe(true);
  });

  it('concurrent refreshes share one request, and the session survives', async () => {
    const sessions = await Promise.all(Array.from({ length: 5 }, () => client.refresh()));
    expect(server.refreshCalls).toBe(1);
    expect(new Set(sessions.map((s) => s.token))).toEqual(new Set(['t2']));
    expect(client.accessToken()).toBe('t2');
    expect(client.current()).toEqual({ user });
    expect(server.revoked).toBe(false);

    // Once settled, the next refresh is a new request with the rotated cookie.
    expect((await client.refresh()).token).toBe('t3');
    expect(server.refreshCalls).toBe(2);
    expect(server.revoked).toBe(false);
  });

  it('sends the CSRF header and the cookie; without a cookie it is a 401 and listeners hear "signed out"', async () => {
    jar.cookie = '';
    const heard: (SignedIn | null)[] = [];
    client.subscribe((s) => heard.push(s));
    await expect(client.refresh()).rejects.toMatchObject({ status: 401 });
    expect(heard).toEqual([null]);
    expect(client.accessToken()).toBeNull();
  });

  it('refreshes a minute before the access token expires (halfway for short lifetimes)', () => {
    expect(refreshDelayMs(900)).toBe(840_000);
    expect(refreshDelayMs(60)).toBe(30_000);
  });

  it('refreshes on its own before expiry', async () => {
    client.set({ token: 't1', expires_in: 0.2, user });
    await expect.poll(() => client.accessToken(), { timeout: 2000 }).toBe('t2');
    expect(server.refreshCalls).toBe(1);
  });
});

describe('session client: requests', () => {
  it('sends the access token', async () => {
    client.set({ token: 't1', expires_in: 900, user });
    const res = await client.fetchWithAccess(`${server.base}/tasks`);
    expect(res.status).toBe(200);
    expect(server.refreshCalls).toBe(0);
  });

  it('a 401 refreshes once and retries; concurrent 401s share that one refresh', async () => {
    client.set({ token: 'expired', expires_in: 900, user });
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => client.fetchWithAccess(`${server.base}/tasks`)),
    );
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(server.refreshCalls).toBe(1);
    expect(server.taskCalls).toBe(8);
    expect(server.revoked).toBe(false);
  });

  it('with no token yet (a page just loaded), gets one from the cookie first', async () => {
    const res = await client.fetchWithAccess(`${server.base}/tasks`);
    expect(res.status).toBe(200);
    expect(server.refreshCalls).toBe(1);
  });

  it('when the session is gone, the 401 comes back once and the app hears "signed out"', async () => {
    client.set({ token: 'expired', expires_in: 900, user });
    server.revoked = true;
    const heard: (SignedIn | null)[] = [];
    client.subscribe((s) => heard.push(s));
    const res = await client.fetchWithAccess(`${server.base}/tasks`);
    expect(res.status).toBe(401);
    expect(server.refreshCalls).toBe(1);
    expect(server.taskCalls).toBe(1);
    expect(heard).toEqual([null]);
    expect(client.current()).toBeNull();
  });

  it('clear() forgets the token and stops the timer', async () => {
    client.set({ token: 't1', expires_in: 0.2, user });
    client.clear();
    await new Promise((r) => setTimeout(r, 300));
    expect(server.refreshCalls).toBe(0);
    expect(client.accessToken()).toBeNull();
  });
});
