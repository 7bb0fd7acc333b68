/**
 * The one reverse proxy: the web container's `/api/*` route forwards to the gateway with it
 * (app/api/[...path]/route.ts), and `npm start`'s single address forwards page requests to the Next.js
 * server with it (functions/local/web.ts). Plain fetch Request → Response, so both runtimes can use it;
 * no imports, so the functions' bundle takes nothing of the web app with it.
 */

/** Headers about one connection, not the message: they stop at the proxy, both ways. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host', 'content-length'];

export interface ForwardOptions {
  /** Give up when the upstream has sent no response headers by then; a started body is never cut. */
  headersTimeoutMs?: number;
}

/**
 * `request` sent to the same path and query at `origin`, and its answer back. Bodies stream both ways
 * (so server-sent events pass through), redirects go back to the browser as they are, and a browser that
 * leaves cancels the upstream request. Throws when the upstream cannot be reached (the caller answers).
 */
export async function forwardRequest(
  request: Request,
  origin: string,
  options: ForwardOptions = {},
): Promise<Response> {
  const url = new URL(request.url);
  // Everything else goes up as sent, `Cookie` included: the refresh cookie is the session.
  const headers = new Headers(request.headers);
  // The API compares a cookie request's Origin with the host the browser addressed, which is ours.
  const host = request.headers.get('host');
  if (host && !headers.has('x-forwarded-host')) headers.set('x-forwarded-host', host);
  for (const h of HOP_BY_HOP) headers.delete(h);
  // fetch would decode a compressed answer but keep its content-encoding header: ask for none.
  headers.set('accept-encoding', 'identity');

  const abort = new AbortController();
  const timer = options.headersTimeoutMs ? setTimeout(() => abort.abort(), options.headersTimeoutMs) : null;
  request.signal?.addEventListener('abort', () => abort.abort(), { once: true });
  const init: RequestInit & { duplex: 'half' } = {
    method: request.method,
    headers,
    body: request.method === 'GET' || request.method === 'HEAD' ? undefined : request.body,
    redirect: 'manual',
    signal: abort.signal,
    // Node's fetch needs this to stream a request body.
    duplex: 'half',
  };
  try {
    const upstream = await fetch(new URL(url.pathname + url.search, origin), init);
    const out = new Headers(upstream.headers);
    for (const h of HOP_BY_HOP) out.delete(h);
    // An upstream that compressed anyway was decoded by fetch: the header no longer describes the body.
    out.delete('content-encoding');
    // Each Set-Cookie as its own header, never comma-joined (an Expires date holds a comma), so a rotated
    // refresh cookie is never lost.
    out.delete('set-cookie');
    for (const cookie of upstream.headers.getSetCookie()) out.append('set-cookie', cookie);
    return new Response(upstream.body, { status: upstream.status, headers: out });
  } finally {
    if (timer) clearTimeout(timer);
  }
}
