import { describe, expect, it } from 'vitest';
import { httpFunctions } from '../catalog.ts';
import { createGatewayApp } from './app.ts';

const gateway = createGatewayApp(async (fn) => new Response(fn, { status: 200 }));

describe('gateway: methods a path does not have', () => {
  // fetch's Request refuses TRACE itself; it takes the same path in the router as these (the fuzzing tier
  // sends real TRACE requests).
  it.each(['PROPFIND', 'OPTIONS', 'PUT', 'DELETE'])(
    '%s /api/v1/tags → 405 with Allow naming the methods it has (was 404)',
    async (method) => {
      const res = await gateway.request('/api/v1/tags', { method });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, POST, HEAD');
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    },
  );

  it('answers 405 on every catalog path for a method it lacks, and still routes the ones it has', async () => {
    for (const fn of httpFunctions()) {
      for (const route of fn.routes) {
        const path = route.path.replace(':id', '00000000-0000-4000-8000-000000000000');
        const res = await gateway.request(path, { method: 'PROPFIND' });
        expect(res.status, `PROPFIND ${path}`).toBe(405);
        expect(res.headers.get('allow'), path).toContain(route.method);
        const ok = await gateway.request(path, { method: route.method });
        expect(await ok.text(), `${route.method} ${path}`).toBe(fn.name);
      }
    }
  });

  it('keeps 404 for a path the API does not have', async () => {
    expect((await gateway.request('/api/v1/nothing-here', { method: 'PROPFIND' })).status).toBe(404);
  });
});

describe('draining (SIGTERM, before the listener closes)', () => {
  it('answers /readyz with 503 and asks callers to drop their keep-alive connections', async () => {
    const lifecycle = { draining: false };
    const app = createGatewayApp(async () => new Response('ok'), { lifecycle });
    expect((await app.request('/readyz')).status).toBe(200);
    lifecycle.draining = true;
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.headers.get('connection')).toBe('close');
    const forwarded = await app.request('/api/v1/tasks');
    expect(forwarded.status).toBe(200);
    expect(forwarded.headers.get('connection')).toBe('close');
  });
});
