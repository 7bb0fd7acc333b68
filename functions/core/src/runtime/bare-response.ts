// The Response that bundled code constructs: build-functions.mjs has esbuild inject this module's
// `Response` for the global one in every bundle. While a process serves its first requests (cold-listener.ts),
// a reply with a string body and plain headers — what Hono's c.json and c.text build — is kept as its parts,
// and the listener writes them to the socket without loading undici. Every other reply, and every reply once
// the listener has handed over to the Hono adapter, is the global Response, as without this module.
// Why: Node loads undici (all of fetch) at the first touch of Response, Request or Headers, 40–65 ms here;
// a start-up snapshot cannot hold it; and merely reading the global's descriptor loads it.

/**
 * Whether replies are kept as their parts: from a cold listener's start until the first hand-over to the
 * adapter in this process (`over`), after which every listener meets real Responses.
 */
export const bareReplies = { enabled: false, over: false };

const UNDICI = 'NativeModule internal/deps/undici/undici';
let undiciSeen = false;
/** Whether Node has loaded undici (so the global Response exists), without loading it. */
const undiciLoaded = () => {
  undiciSeen ||= (process as unknown as { moduleLoadList: string[] }).moduleLoadList.includes(UNDICI);
  return undiciSeen;
};

type BareInit = { status?: number; statusText?: string; headers?: Record<string, string> };

const isPlainHeaders = (headers: unknown) =>
  headers === undefined ||
  (typeof headers === 'object' && Object.getPrototypeOf(headers) === Object.prototype);

class BareResponse {
  #body: string | null = null;
  #init: BareInit = {};
  #real: globalThis.Response | undefined;

  constructor(body?: BodyInit | null, init?: ResponseInit) {
    if (!bareReplies.enabled || !(body == null || typeof body === 'string') || !isPlainHeaders(init?.headers))
      // biome-ignore lint/correctness/noConstructorReturn: anything else is a real Response
      return new globalThis.Response(body, init) as unknown as BareResponse;
    this.#body = body ?? null;
    this.#init = (init ?? {}) as BareInit;
  }

  /** Whether `value` is a reply kept as its parts (not a real Response, which `instanceof` also admits). */
  static isBare(value: unknown): value is BareResponse {
    return typeof value === 'object' && value !== null && #body in value;
  }

  /** As the global Response: `instanceof Response` holds for these and for real ones. */
  static [Symbol.hasInstance](value: unknown): boolean {
    return BareResponse.isBare(value) || (undiciLoaded() && value instanceof globalThis.Response);
  }

  /** The reply as the listener writes it: Content-Type and Content-Length as a Response would give them. */
  parts(): { status: number; headers: Record<string, string>; body: string | null } | undefined {
    if (this.#real) return undefined; // someone asked for more than the parts; the real one is the reply now
    const headers: Record<string, string> = { ...this.#init.headers };
    const body = this.#body;
    if (body !== null) {
      if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type'))
        headers['content-type'] = 'text/plain;charset=UTF-8';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    return { status: this.#init.status ?? 200, headers, body };
  }

  get status() {
    return this.#real?.status ?? this.#init.status ?? 200;
  }
  get ok() {
    return this.status >= 200 && this.status < 300;
  }
  /** Anything more is a real Response's, built on first use (loading undici, as any handler may). */
  real(): globalThis.Response {
    this.#real ??= new globalThis.Response(this.#body, this.#init);
    return this.#real;
  }
  get headers() {
    return this.real().headers;
  }
  get statusText() {
    return this.real().statusText;
  }
  get body() {
    return this.real().body;
  }
  get bodyUsed() {
    return this.real().bodyUsed;
  }
  get type() {
    return this.real().type;
  }
  get url() {
    return this.real().url;
  }
  get redirected() {
    return this.real().redirected;
  }
  text() {
    return this.real().text();
  }
  json() {
    return this.real().json();
  }
  arrayBuffer() {
    return this.real().arrayBuffer();
  }
  blob() {
    return this.real().blob();
  }
  formData() {
    return this.real().formData();
  }
  clone() {
    return this.real().clone();
  }
  static json(data: unknown, init?: ResponseInit) {
    return globalThis.Response.json(data, init);
  }
  static error() {
    return globalThis.Response.error();
  }
  static redirect(url: string | URL, status?: number) {
    return globalThis.Response.redirect(url, status);
  }
}

export { BareResponse, BareResponse as Response };
