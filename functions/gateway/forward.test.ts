import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProblemError } from '@todo/core/runtime/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpForward } from './app.ts';

// A function that never answers (/hang) and one that answers at once, then streams slowly (/stream).
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/hang') return;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: 1\n\n');
    setTimeout(() => res.end('data: 2\n\n'), 600);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('gateway forwarding', () => {
  it('gives up with a 504 when a function sends no response headers in time', async () => {
    const forward = httpForward(() => base, 300);
    const started = Date.now();
    const err = await forward('slow', new Request('http://gw/hang')).catch((e) => e);
    expect(err).toBeInstanceOf(ProblemError);
    expect((err as ProblemError).status).toBe(504);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('bounds only the wait for headers: a stream that has started may outlive the timeout', async () => {
    const forward = httpForward(() => base, 300);
    const res = await forward('live', new Request('http://gw/stream'));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('data: 1\n\ndata: 2\n\n');
  });
});
