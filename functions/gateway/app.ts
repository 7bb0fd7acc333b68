import { ProblemError, problemHandler } from '@todo/core/runtime/errors';
import { Hono } from 'hono';
import { httpFunctions } from '../catalog.ts';

/**
 * Sends a request to the named function: in-process in the embedded runner, over HTTP in a cluster.
 * `env` is the Node adapter's bindings (the socket's IncomingMessage), which an in-process function app
 * gets as its own, as it would behind its own listener.
 */
export type Forward = (fn: string, request: Request, env?: unknown) => Promise<Response>;

/**
 * The API's front door: every catalog route, by method and path, to the function that owns it.
 * Ingress controllers and the KEDA HTTP add-on route by host and path only, so this is where the method
 * split (GET /tasks → list-tasks, POST /tasks → create-task) happens.
 */
export function createGatewayApp(
  forward: Forward,
  opts: {
    /** Set on SIGTERM: /readyz answers 503 and responses close their connection (serve.ts onShutdown). */
    lifecycle?: { draining: boolean };
    logError?: (msg: string, err: unknown) => void;
  } = {},
) {
  const app = new Hono();
  app.onError(problemHandler(opts.logError ?? (() => {})));
  app.use('*', async function closeWhileDraining(c, next) {
    await next();
    if (opts.lifecycle?.draining) c.header('Connection', 'close');
  });
  app.get('/healthz', (c) => c.json({ status: 'ok', function: 'gateway' }));
  app.get('/readyz', (c) =>
    opts.lifecycle?.draining
      ? c.json({ status: 'draining', function: 'gateway' }, 503)
      : c.json({ status: 'ready', function: 'gateway' }),
  );
  const methodsByPath = new Map<string, Set<string>>();
  for (const fn of httpFunctions()) {
    for (const route of fn.routes) {
      app.on(route.method, route.path, function forwardRoute(c) {
        return forward(fn.name, c.req.raw, c.env);
      });
      const methods = methodsByPath.get(route.path) ?? new Set();
      methodsByPath.set(route.path, methods.add(route.method));
    }
  }
  // A path the API has, with a method it does not (TRACE, OPTIONS, PUT on a collection …): 405 and the
  // methods it does have (HEAD comes with GET), not a 404 that says the resource is not there.
  for (const [path, methods] of methodsByPath) {
    const allow = [...methods, ...(methods.has('GET') ? ['HEAD'] : [])].join(', ');
    app.all(path, function methodNotAllowed(c) {
      throw new ProblemError(405, `${c.req.method} is not allowed here`, undefined, {
        Allow: allow,
      });
    });
  }
  app.notFound((c) => {
    throw new ProblemError(404, `No route for ${c.req.method} ${c.req.path}`);
  });
  return app;
}

/**
 * How long the gateway waits for a function's response headers: longer than the HTTP add-on holds a
 * request for a cold replica (conditionWait 30 s). Only the wait for headers is bounded, so a
 * notifications stream (SSE) stays open once it has started.
 */
export const FORWARD_HEADERS_TIMEOUT_MS = 40_000;

/** Cluster forwarding: each function is a Service named after it (through the KEDA interceptor when scaled). */
export function httpForward(
  baseUrlFor: (fn: string) => string,
  headersTimeoutMs = FORWARD_HEADERS_TIMEOUT_MS,
): Forward {
  return async function forwardOverHttp(fn, request) {
    const url = new URL(request.url);
    const target = new URL(url.pathname + url.search, baseUrlFor(fn));
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error('no response headers in time')), headersTimeoutMs);
    // A client that goes away cancels the call to the function too.
    request.signal?.addEventListener('abort', () => abort.abort(request.signal.reason), { once: true });
    try {
      return await fetch(target, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: abort.signal,
        // @ts-expect-error Node's fetch needs duplex for streamed bodies
        duplex: 'half',
      });
    } catch {
      if (abort.signal.aborted && !request.signal?.aborted)
        throw new ProblemError(504, `${fn} did not answer in time; retry shortly`, undefined, {
          'Retry-After': '2',
        });
      throw new ProblemError(503, `${fn} is not reachable; retry shortly`, undefined, {
        'Retry-After': '2',
      });
    } finally {
      clearTimeout(timer);
    }
  };
}
