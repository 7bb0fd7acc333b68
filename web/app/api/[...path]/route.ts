import { forwardRequest } from '@/lib/proxy';

/**
 * In the web container, `/api/*` is forwarded to the gateway named by API_ORIGIN (read at run time, so
 * one image fits every cluster). Under `npm start` the local runner answers `/api` itself and this never
 * runs. Bodies stream both ways, so the notifications stream (SSE) passes through.
 */
export const dynamic = 'force-dynamic';

/** How long to wait for the gateway's response headers (it gives a function 40 s); a started stream is not cut. */
const HEADERS_TIMEOUT_MS = 45_000;

const unavailable = (detail: string, headers: Record<string, string> = {}) =>
  Response.json(
    { type: 'about:blank', title: 'Service Unavailable', status: 503, detail },
    { status: 503, headers: { 'content-type': 'application/problem+json', ...headers } },
  );

async function forward(request: Request): Promise<Response> {
  const origin = process.env.API_ORIGIN;
  if (!origin) return unavailable('The web server has no API_ORIGIN configured, so it cannot reach the API.');
  try {
    return await forwardRequest(request, origin, { headersTimeoutMs: HEADERS_TIMEOUT_MS });
  } catch {
    return unavailable('The API is not reachable; retry shortly.', { 'retry-after': '2' });
  }
}

export const GET = forward;
export const POST = forward;
export const PUT = forward;
export const PATCH = forward;
export const DELETE = forward;
