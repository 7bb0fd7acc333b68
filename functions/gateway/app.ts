import { Hono } from 'hono';
import { httpFunctions } from '../catalog.ts';
import { ProblemError, problemHandler } from '../core/src/errors.ts';

/** Sends a request to the named function: in-process in the embedded runner, over HTTP in a cluster. */
export type Forward = (fn: string, request: Request) => Promise<Response>;

/**
 * The API's front door: every catalog route, by method and path, to the function that owns it.
 * Ingress controllers and the KEDA HTTP add-on route by host and path only, so this is where the method
 * split (GET /tasks → list-tasks, POST /tasks → create-task) happens.
 */
export function createGatewayApp(forward: Forward) {
  const app = new Hono();
  app.onError(problemHandler(() => {}));
  app.get('/healthz', (c) => c.json({ status: 'ok', function: 'gateway' }));
  app.get('/readyz', (c) => c.json({ status: 'ready', function: 'gateway' }));
  for (const fn of httpFunctions()) {
    for (const route of fn.routes) {
      app.on(route.method, route.path, function forwardRoute(c) {
        return forward(fn.name, c.req.raw);
      });
    }
  }
  app.notFound((c) => {
    throw new ProblemError(404, 'Not Found', `No route for ${c.req.method} ${c.req.path}`);
  });
  return app;
}

/** Cluster forwarding: each function is a Service named after it (through the KEDA interceptor when scaled). */
export function httpForward(baseUrlFor: (fn: string) => string): Forward {
  return async function forwardOverHttp(fn, request) {
    const url = new URL(request.url);
    const target = new URL(url.pathname + url.search, baseUrlFor(fn));
    try {
      return await fetch(target, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        // @ts-expect-error Node's fetch needs duplex for streamed bodies
        duplex: 'half',
      });
    } catch {
      throw new ProblemError(503, 'Service Unavailable', `${fn} is not reachable; retry shortly`, undefined, {
        'Retry-After': '2',
      });
    }
  };
}
