import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from './config.ts';
import { bodyFraming, createFunctionApp, type FunctionDeps, readBody, requestText } from './http.ts';
import { createLogger } from './log.ts';
import { listen, type RunningServer } from './serve.ts';

const appToken = 'body-limit-app-token-0123456789';
const MB = 1024 * 1024;

/** What the last read of `/partial` came to: the text, or why it failed. */
let partialRead: Promise<string> | undefined;

function createEchoApp() {
  const deps: FunctionDeps = {
    db: {} as FunctionDeps['db'], // no route here reaches the database
    config: loadConfig({}),
    jwtSecret: 'body-limit-secret-body-limit-secret-0123',
    log: createLogger('silent'),
    appToken,
  };
  const app = createFunctionApp('echo', deps);
  app.post('/echo', async (c) => c.json(await readBody(c, z.object({ pad: z.string() }))));
  app.get('/echo', (c) => c.json({ pad: '' }));
  // The text once, then Hono's own json() of the same body (from its cache: the message is read by then).
  app.post('/partial', async (c) => {
    partialRead = requestText(c);
    return c.text(await partialRead);
  });
  app.post('/text', async (c) => {
    const text = await requestText(c);
    return c.json({ text, json: text ? await c.req.json() : null });
  });
  return app;
}

/** One request with the framing chosen here: a Content-Length, or chunks (Transfer-Encoding). */
function send(
  port: number,
  method: string,
  body: string | undefined,
  framing: 'length' | 'chunked',
  path = '/echo',
) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const headers: Record<string, string> = {
      'dapr-api-token': appToken,
      'content-type': 'application/json',
    };
    if (body !== undefined && framing === 'length')
      headers['content-length'] = String(Buffer.byteLength(body));
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    if (body !== undefined && framing === 'chunked') {
      // Two writes without a length: Node frames them as chunks.
      const half = Math.floor(body.length / 2);
      req.write(body.slice(0, half));
      req.end(body.slice(half));
    } else req.end(body);
  });
}

const padded = (bytes: number) => JSON.stringify({ pad: 'x'.repeat(bytes) });

describe('body limit (real sockets)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await listen(createEchoApp(), 0, '127.0.0.1');
  });
  afterAll(() => server?.close(1000));

  it('passes a body within the limit, by length or in chunks', async () => {
    for (const framing of ['length', 'chunked'] as const) {
      const res = await send(server.port, 'POST', padded(1000), framing);
      expect(res.status, framing).toBe(200);
      expect(JSON.parse(res.body).pad).toHaveLength(1000);
    }
  });

  it('refuses a body over 1 MB with a 413, whether its length is declared or it comes in chunks', async () => {
    for (const framing of ['length', 'chunked'] as const) {
      const res = await send(server.port, 'POST', padded(MB), framing);
      expect(res.status, framing).toBe(413);
      expect(JSON.parse(res.body).detail).toBe('Request bodies are limited to 1 MB');
    }
  });

  it('serves a request without a body', async () => {
    expect((await send(server.port, 'GET', undefined, 'length')).status).toBe(200);
  });

  it('gives up on a body whose sender goes away before its end, rather than wait for it forever', async () => {
    partialRead = undefined;
    const req = httpRequest({
      host: '127.0.0.1',
      port: server.port,
      path: '/partial',
      method: 'POST',
      headers: { 'dapr-api-token': appToken, 'content-length': '100' },
    });
    req.on('error', () => {});
    req.write('{"half":');
    // (A poll of the promise itself would wait for it.)
    await expect.poll(() => partialRead !== undefined, { timeout: 5000 }).toBe(true);
    req.destroy();
    await expect(partialRead).rejects.toThrow(/aborted|went away/);
  });

  it('reads a body as text() would (UTF-8, a leading BOM dropped), by length or in chunks, and keeps it for json()', async () => {
    const doc = { note: 'naïve — 日本 ✓' };
    for (const framing of ['length', 'chunked'] as const) {
      const res = await send(server.port, 'POST', `\uFEFF${JSON.stringify(doc)}`, framing, '/text');
      expect(res.status, framing).toBe(200);
      expect(JSON.parse(res.body), framing).toEqual({ text: JSON.stringify(doc), json: doc });
    }
    const empty = await send(server.port, 'POST', '', 'length', '/text');
    expect(JSON.parse(empty.body)).toEqual({ text: '', json: null });
  });
});

describe('body limit and body reads (a Request built in-process)', () => {
  it('reads the text of a Request', async () => {
    const res = await createEchoApp().request('/text', {
      method: 'POST',
      headers: { 'dapr-api-token': appToken },
      body: JSON.stringify({ a: 1 }),
    });
    expect(await res.json()).toEqual({ text: '{"a":1}', json: { a: 1 } });
  });

  it('counts the body of a Request without a Content-Length', async () => {
    const res = await createEchoApp().request('/echo', {
      method: 'POST',
      headers: { 'dapr-api-token': appToken },
      body: padded(MB),
    });
    expect(res.status).toBe(413);
  });
});

describe('bodyFraming', () => {
  const env = (headers: Record<string, string>) => ({ incoming: { headers } });
  it('reads the framing from the socket message or the in-process sender, and nothing from a Request', () => {
    expect(bodyFraming(env({ 'content-length': '12' }))).toEqual({ chunked: false, length: 12 });
    expect(bodyFraming(env({}))).toEqual({ chunked: false, length: 0 });
    expect(bodyFraming(env({ 'transfer-encoding': 'chunked' }))).toEqual({ chunked: true, length: 0 });
    expect(bodyFraming(undefined)).toBeUndefined();
    expect(bodyFraming({})).toBeUndefined();
    expect(bodyFraming({ framing: { chunked: false, length: 3 } })).toEqual({ chunked: false, length: 3 });
  });
});
