import { ApiError, networkError, problemError, readJson } from './api-error';
import type { Session, User } from './types';

/**
 * The browser's side of a session. The access token lives only in this object's memory (never in
 * localStorage/sessionStorage, where any injected script could read it for days); the long-lived
 * credential is the HttpOnly refresh cookie, which only POST /auth/refresh can turn into a new token.
 *
 * The server rotates the refresh cookie on every refresh and treats a second use of the same cookie as
 * theft (it revokes the whole session), so refreshes must never overlap: calls made while one is under
 * way share it, and tabs take turns through a Web Lock (the next tab then sends the rotated cookie).
 */

/** What the app sees of a session: the user (never the token). */
export interface SignedIn {
  user: User;
}

type Listener = (session: SignedIn | null) => void;

export interface SessionClientOptions {
  /** The API root, e.g. `/api/v1`. */
  base: string;
  fetch?: typeof fetch;
  /** Serialises refreshes across tabs; `navigator.locks` when the browser has it. */
  locks?: Pick<LockManager, 'request'> | null;
  /** Access token lifetime to assume when the server does not say (seconds). */
  defaultTtlSeconds?: number;
}

/** The header the refresh and log-out endpoints require, so a cross-site form post cannot use the cookie. */
export const CSRF_HEADER = { 'x-todo-csrf': '1' } as const;

const LOCK_NAME = 'todo.session.refresh';
/** After a refresh that failed for a reason other than "no session" (offline, 5xx), try again this soon. */
const RETRY_AFTER_FAILURE_MS = 30_000;

/** When to refresh ahead of expiry: a minute before, or halfway for short lifetimes. */
export function refreshDelayMs(expiresInSeconds: number): number {
  return Math.max(expiresInSeconds - 60, expiresInSeconds / 2) * 1000;
}

/** An answer that means there is no usable session (not a transient failure). */
const endsSession = (status: number) => status === 400 || status === 401 || status === 403;

export function createSessionClient(options: SessionClientOptions) {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const defaultTtl = options.defaultTtlSeconds ?? 900;
  let token: string | null = null;
  let user: User | null = null;
  let inflight: Promise<Session> | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const listeners = new Set<Listener>();

  function locks() {
    if (options.locks !== undefined) return options.locks;
    return typeof navigator !== 'undefined' && navigator.locks ? navigator.locks : null;
  }

  function emit() {
    const state = user ? { user } : null;
    for (const l of listeners) l(state);
  }

  function schedule(ms: number) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      // Failures are handled inside: "no session" signs out, anything else schedules a retry.
      refresh().catch(() => {});
    }, ms);
  }

  /** Adopts a session the API just issued (log-in, sign-up, refresh, password change). */
  function set(session: Session) {
    token = session.token;
    user = session.user;
    schedule(refreshDelayMs(session.expires_in ?? defaultTtl));
    emit();
  }

  /** The user changed (e.g. verified their email) while the session stays the same. */
  function setUser(next: User) {
    if (!user) return;
    user = next;
    emit();
  }

  /** Forgets the session in this tab (the server side is the caller's business). */
  function clear() {
    if (timer) clearTimeout(timer);
    timer = null;
    const had = token !== null || user !== null;
    token = null;
    user = null;
    if (had) emit();
  }

  async function postRefresh(): Promise<Session> {
    let res: Response;
    try {
      res = await doFetch(`${options.base}/auth/refresh`, {
        method: 'POST',
        headers: { accept: 'application/json', ...CSRF_HEADER },
        credentials: 'include',
      });
    } catch {
      throw networkError();
    }
    const json = await readJson(res);
    if (!res.ok) throw problemError(res.status, json);
    // Typed by the generated API types; checked here only as far as a session cannot work without.
    const session = json as Session | null;
    if (typeof session?.token !== 'string' || typeof session.user?.id !== 'string')
      throw new ApiError(res.status, 'Unexpected answer from /auth/refresh.');
    return session;
  }

  async function runRefresh(): Promise<Session> {
    try {
      const lockManager = locks();
      const session = lockManager
        ? await lockManager.request(LOCK_NAME, () => postRefresh())
        : await postRefresh();
      set(session);
      return session;
    } catch (e) {
      if (e instanceof ApiError && endsSession(e.status)) {
        // Not `had`-guarded: a page that never had a session still learns the answer is "none".
        token = null;
        user = null;
        if (timer) clearTimeout(timer);
        timer = null;
        for (const l of listeners) l(null);
      } else if (token) {
        schedule(RETRY_AFTER_FAILURE_MS);
      }
      throw e;
    }
  }

  /** A new access token from the refresh cookie; concurrent callers share one request. */
  function refresh(): Promise<Session> {
    inflight ??= runRefresh().finally(() => {
      inflight = null;
    });
    return inflight;
  }

  /**
   * fetch with the access token. On a 401 the token is refreshed once (or the one another call just
   * got is used) and the request retried once; if the session cannot be refreshed the 401 comes back
   * and listeners hear the session is gone (the refresh's 401).
   */
  async function fetchWithAccess(url: string, init: RequestInit = {}): Promise<Response> {
    let used = token;
    if (!used)
      used = await refresh().then(
        (s) => s.token,
        () => null,
      );
    const send = (bearer: string | null) => {
      const headers = new Headers(init.headers);
      if (bearer) headers.set('authorization', `Bearer ${bearer}`);
      return doFetch(url, { ...init, headers });
    };
    const first = await send(used);
    if (first.status !== 401 || !used) return first;
    let next = token !== used ? token : null;
    if (!next) {
      try {
        next = (await refresh()).token;
      } catch {
        return first;
      }
    }
    await first.body?.cancel().catch(() => {});
    // A 401 again is the endpoint's own answer (a wrong current password, say), not a dead session:
    // that would have failed the refresh.
    return send(next);
  }

  return {
    set,
    setUser,
    clear,
    refresh,
    fetchWithAccess,
    /** The current access token, for a caller that cannot go through fetchWithAccess (none should). */
    accessToken: () => token,
    current: (): SignedIn | null => (user ? { user } : null),
    subscribe(listener: Listener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Stops the refresh timer (tests). */
    dispose() {
      if (timer) clearTimeout(timer);
      timer = null;
      listeners.clear();
    },
  };
}

export type SessionClient = ReturnType<typeof createSessionClient>;
