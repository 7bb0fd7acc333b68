import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { BareResponse, bareReplies } from './bare-response.ts';
import { bareUrl, coldStartListener, honoNodeAdapter } from './cold-listener.ts';

function testApp() {
  const app = new Hono();
  app.get('/json', (c) =>
    c.json({ ok: true, q: c.req.query('q') ?? null, ua: c.req.header('x-ua') ?? null }, 201),
  );
  app.get('/text', (c) => c.text('plain'));
  // What c.json builds in a bundle, where bare-response.ts's Response stands for the global one.
  app.get(
    '/bare',
    () =>
      new BareResponse('{"bare":true}', {
        status: 203,
        headers: { 'content-type': 'application/json' },
      }) as unknown as Response,
  );
  app.get('/header', (c) => {
    c.header('x-made', 'here');
    return c.json({ headers: true });
  });
  app.get('/stream', () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('data: one\n\n'));
        controller.enqueue(new TextEncoder().encode('data: two\n\n'));
        controller.close();
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  });
  app.post('/echo', async (c) => c.json(await c.req.json()));
  return app;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(port: number, method: string, path: string, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'x-ua': 'test' };
    if (body) headers['content-type'] = 'application/json';
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A fresh server whose adapter loads count in `loads`, as the first in a process. */
async function fresh() {
  bareReplies.over = false;
  const loads: number[] = [];
  const listener = coldStartListener(testApp(), '127.0.0.1', async (app, host) => {
    loads.push(Date.now());
    return honoNodeAdapter(app, host);
  });
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, loads };
}

// Not the framing: a reply the handler built as a real Response goes out in chunks at first.
const comparable = (r: Reply) => ({
  status: r.status,
  type: r.headers['content-type'],
  made: r.headers['x-made'],
  body: r.body,
});

describe('coldStartListener', () => {
  it.each([
    ['GET', '/json?q=1'],
    ['GET', '/text'],
    ['GET', '/bare'],
    ['HEAD', '/bare'],
    ['GET', '/header'],
    ['GET', '/stream'],
    ['HEAD', '/json'],
    ['GET', '/nowhere'],
  ])('answers the first %s %s as the adapter answers it afterwards', async (method, path) => {
    const { port, loads } = await fresh();
    const first = await call(port, method, path);
    await new Promise((r) => setTimeout(r, 50)); // the adapter loads after the first answer
    expect(loads).toHaveLength(1);
    const second = await call(port, method, path);
    expect(comparable(first)).toEqual(comparable(second));
  });

  it('serves the first reply the app built', async () => {
    const { port } = await fresh();
    const first = await call(port, 'GET', '/json?q=a');
    expect(first.status).toBe(201);
    expect(JSON.parse(first.body)).toEqual({ ok: true, q: 'a', ua: 'test' });
  });

  it('writes a bare reply from its parts, then meets real ones once the adapter has loaded', async () => {
    const { port } = await fresh();
    const first = await call(port, 'GET', '/bare');
    expect(first).toMatchObject({ status: 203, body: '{"bare":true}' });
    expect(first.headers['content-length']).toBe('13');
    expect(first.headers['transfer-encoding']).toBeUndefined();
    await new Promise((r) => setTimeout(r, 50));
    expect(BareResponse.isBare(new BareResponse('x'))).toBe(false);
  });

  it('hands a first request with a body to the adapter', async () => {
    const { port, loads } = await fresh();
    const res = await call(port, 'POST', '/echo', JSON.stringify({ a: 1 }));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ a: 1 });
    expect(loads).toHaveLength(1);
  });

  it('leaves the global Response a working one once the adapter has loaded', async () => {
    const { port } = await fresh();
    await call(port, 'GET', '/json');
    await new Promise((r) => setTimeout(r, 50));
    const res = new Response('x', { status: 202 });
    expect(res instanceof Response).toBe(true);
    expect(await res.text()).toBe('x');
    expect(res.status).toBe(202);
  });
});

describe('bareUrl', () => {
  const msg = (method: string, url: string, headers: Record<string, string>) =>
    ({ method, url, headers }) as unknown as Parameters<typeof bareUrl>[0];
  it('is the URL of a bodiless GET or HEAD, and undefined for anything the adapter should judge', () => {
    expect(bareUrl(msg('GET', '/a?b=1', { host: 'fn:8080' }), '0.0.0.0')).toBe('http://fn:8080/a?b=1');
    expect(bareUrl(msg('HEAD', '/', {}), '127.0.0.1')).toBe('http://127.0.0.1/');
    expect(bareUrl(msg('POST', '/a', { host: 'h' }), 'h')).toBeUndefined();
    expect(bareUrl(msg('GET', '/a', { host: 'h', 'content-length': '3' }), 'h')).toBeUndefined();
    expect(bareUrl(msg('GET', 'http://h/a', { host: 'h' }), 'h')).toBeUndefined();
    expect(bareUrl(msg('GET', '/a', { host: 'h/x' }), 'h')).toBeUndefined();
  });
});
