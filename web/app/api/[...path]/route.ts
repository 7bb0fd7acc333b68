/**
 * In the web container, `/api/*` is forwarded to the gateway named by API_ORIGIN (read at run time, so
 * one image fits every cluster). Under `npm start` the local runner answers `/api` itself and this never
 * runs. Bodies stream both ways, so the notifications stream (SSE) passes through.
 */
export const dynamic = 'force-dynamic';

/** How long to wait for the gateway's response headers (it gives a function 40 s); a started stream is not cut. */
const HEADERS_TIMEOUT_MS = 45_000;

const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host', 'content-length'];

async function forward(request: Request): Promise<Response> {
  const origin = process.env.API_ORIGIN;
  if (!origin) {
    return Response.json(
      {
        type: 'about:blank',
        title: 'Service Unavailable',
        status: 503,
        detail: 'The web server has no API_ORIGIN configured, so it cannot reach the API.',
      },
      { status: 503, headers: { 'content-type': 'application/problem+json' } },
    );
  }
  const url = new URL(request.url);
  const target = new URL(url.pathname + url.search, origin);
  const headers = new Headers(request.headers);
  for (const h of HOP_BY_HOP) headers.delete(h);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), HEADERS_TIMEOUT_MS);
  request.signal?.addEventListener('abort', () => abort.abort(), { once: true });
  try {
    const upstream = await fetch(target, {
      method: request.method,
      headers,
      body: request.method === 'GET' || request.method === 'HEAD' ? undefined : request.body,
      redirect: 'manual',
      signal: abort.signal,
      // @ts-expect-error Node's fetch needs duplex for streamed request bodies
      duplex: 'half',
    });
    const out = new Headers(upstream.headers);
    for (const h of HOP_BY_HOP) out.delete(h);
    out.delete('content-encoding');
    return new Response(upstream.body, { status: upstream.status, headers: out });
  } catch {
    return Response.json(
      {
        type: 'about:blank',
        title: 'Service Unavailable',
        status: 503,
        detail: 'The API is not reachable; retry shortly.',
      },
      { status: 503, headers: { 'content-type': 'application/problem+json', 'retry-after': '2' } },
    );
  } finally {
    clearTimeout(timer);
  }
}

export const GET = forward;
export const POST = forward;
export const PUT = forward;
export const PATCH = forward;
export const DELETE = forward;
