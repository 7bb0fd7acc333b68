import type { IncomingMessage, ServerResponse } from 'node:http';
import { bareRequest } from './bare-request.ts';
import { BareResponse, bareReplies } from './bare-response.ts';
import type { FetchApp } from './serve.ts';

export type RequestListener = (incoming: IncomingMessage, outgoing: ServerResponse) => void;

/**
 * Serves a process's first requests without undici, then hands every request to @hono/node-server.
 *
 * Why: Node loads undici (all of fetch: Request, Response, Headers) at the first touch of any of them, which
 * takes 40–65 ms here — a third of bare Node's whole start — and a V8 start-up snapshot cannot hold it (it
 * needs Node's HTTP parser). The adapter touches them as it loads, so a woken function paid that before its
 * first answer. Until the first answer is out, a GET or HEAD is served here: the app gets the part of a
 * Request Hono reads (bare-request.ts), and the reply Hono builds for c.json or c.text — a string and plain
 * headers, kept as its parts by the bundles' Response (bare-response.ts) — is written straight to the socket. The adapter loads in the idle moment after
 * that first answer (in a cluster, while the readiness the probe just saw reaches the endpoints), so real
 * traffic meets the usual path. Anything else — a request body to read, a streamed reply, a handler that
 * builds Headers — still works: it loads undici at that point, as it always did.
 */
export function coldStartListener(
  app: FetchApp,
  hostname: string,
  loadAdapter: (app: FetchApp, hostname: string) => Promise<RequestListener> = honoNodeAdapter,
): RequestListener {
  let adapter: RequestListener | undefined;
  let loading: Promise<RequestListener> | undefined;
  const load = () => {
    loading ??= Promise.resolve().then(() => {
      // The adapter writes real Responses (its own light ones) from here on.
      bareReplies.enabled = false;
      bareReplies.over = true;
      return loadAdapter(app, hostname);
    });
    return loading.then((listener) => (adapter = listener));
  };
  if (!bareReplies.over) bareReplies.enabled = true;
  return (incoming, outgoing) => {
    if (adapter) return adapter(incoming, outgoing);
    const url = loading ? undefined : bareUrl(incoming, hostname);
    if (!url) {
      load().then(
        (listener) => listener(incoming, outgoing),
        (e) => failed(outgoing, e),
      );
      return;
    }
    serveBare(app, incoming, outgoing, url).then(
      () => setImmediate(load),
      (e) => failed(outgoing, e),
    );
  };
}

export async function honoNodeAdapter(app: FetchApp, hostname: string): Promise<RequestListener> {
  const { getRequestListener } = await import('@hono/node-server');
  return getRequestListener(app.fetch, { hostname });
}

/** The URL of a request this listener can serve itself (a bodiless GET or HEAD), else undefined. */
export function bareUrl(incoming: IncomingMessage, hostname: string): string | undefined {
  const { method, headers } = incoming;
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  if (headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined) return undefined;
  const path = incoming.url ?? '';
  const host = headers.host ?? hostname;
  // Anything unusual (an absolute form, an odd Host) is the adapter's to validate and refuse.
  if (!path.startsWith('/') || !/^[A-Za-z0-9.:[\]-]+$/.test(host)) return undefined;
  return `http://${host}${path}`;
}

async function serveBare(app: FetchApp, incoming: IncomingMessage, outgoing: ServerResponse, url: string) {
  const abort = new AbortController();
  outgoing.once('close', () => abort.abort());
  const request = bareRequest({
    method: incoming.method,
    url,
    headers: incoming.headers,
    signal: abort.signal,
  });
  const res = await app.fetch(request, { incoming, outgoing });
  const head = incoming.method === 'HEAD';
  const parts = BareResponse.isBare(res) ? res.parts() : undefined;
  if (parts) {
    outgoing.writeHead(parts.status, parts.headers);
    outgoing.end(head ? undefined : parts.body);
    return;
  }
  await writeResponse(res, outgoing, head);
}

/** A real Response (a stream, or one a handler built with Headers), copied to the socket as it comes. */
async function writeResponse(res: Response, outgoing: ServerResponse, head: boolean) {
  const headers: [string, string][] = [];
  res.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers.push([name, value]);
  });
  for (const cookie of res.headers.getSetCookie()) headers.push(['set-cookie', cookie]);
  outgoing.writeHead(res.status, headers.flat());
  if (!res.body || head) {
    await res.body?.cancel();
    outgoing.end();
    return;
  }
  const reader = res.body.getReader();
  outgoing.once('close', () => reader.cancel().catch(() => {}));
  for (;;) {
    const { done, value } = await reader.read();
    if (done || outgoing.destroyed) break;
    if (!outgoing.write(value)) await new Promise((r) => outgoing.once('drain', r));
  }
  outgoing.end();
}

function failed(outgoing: ServerResponse, e: unknown) {
  console.error(e);
  if (!outgoing.headersSent) outgoing.writeHead(500, { 'content-type': 'text/plain' });
  outgoing.end();
}
