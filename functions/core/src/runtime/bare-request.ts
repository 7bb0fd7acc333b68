import type { IncomingHttpHeaders } from 'node:http';

/**
 * A request's headers as Headers reads them, over a record of lower-case names (Node's parsed message, or
 * one an in-process sender wrote): no undici Headers, which would load undici (cold-listener.ts) and costs
 * more than the lookups it serves.
 */
class BareHeaders {
  constructor(private readonly raw: IncomingHttpHeaders) {}
  get(name: string): string | null {
    const v = this.raw[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
  }
  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }
  forEach(fn: (value: string, name: string, headers: BareHeaders) => void): void {
    for (const [name, value] of this) fn(value, name, this);
  }
  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.raw).sort()) yield [name, this.get(name) as string];
  }
  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }
  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }
  [Symbol.iterator]() {
    return this.entries();
  }
  getSetCookie(): string[] {
    const v = this.raw['set-cookie'];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  }
}

/**
 * The part of a Request that Hono and our handlers read — method, url, headers, the body as text, JSON or
 * bytes, the abort signal when there is one — for a request whose body is already a string (or absent): a process's first
 * GET (cold-listener.ts) and the embedded bus's in-process deliveries (local-transport.ts). Not an undici
 * Request, whose body stream and abort bookkeeping cost more than the work behind them.
 */
export function bareRequest(parts: {
  method: string | undefined;
  url: string;
  /** Lower-case names, as Node parses them. */
  headers: IncomingHttpHeaders;
  body?: string;
  signal?: AbortSignal;
}): Request {
  const body = parts.body ?? '';
  const request = {
    method: parts.method,
    url: parts.url,
    headers: new BareHeaders(parts.headers),
    signal: parts.signal,
    body: null,
    bodyUsed: false,
    text: async () => body,
    json: async () => JSON.parse(body),
    arrayBuffer: async () => new TextEncoder().encode(body).buffer,
  };
  return request as unknown as Request;
}
