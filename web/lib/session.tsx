'use client';

import { useRouter } from 'next/navigation';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError, api, sessionClient } from './api';
import type { SignedIn } from './session-client';
import type { Session } from './types';

export type { SignedIn } from './session-client';

interface SessionState {
  /** undefined while the refresh cookie is being tried; null when logged out. */
  session: SignedIn | null | undefined;
  /** Adopts a session the API just issued (log-in, sign-up, password change). */
  signIn(session: Session): void;
  /** Ends this session on the server (and its cookie), then here. */
  signOut(): Promise<void>;
  /** Ends every session of the user, on every device. */
  signOutEverywhere(): Promise<void>;
  /** Asks the server for the user again (after verifying the email, say). */
  reloadUser(): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

/** Offline or a 5xx at page load is not "logged out": try the cookie a few more times first. */
const LOAD_RETRY_MS = [1000, 3000, 6000];

/** Tries the refresh cookie once on load (the access token is never stored), then follows the client. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SignedIn | null | undefined>(
    () => sessionClient.current() ?? undefined,
  );

  useEffect(() => {
    let stopped = false;
    const unsubscribe = sessionClient.subscribe((s) => {
      // Keep the same object while the user is unchanged, so a token refresh re-renders nothing.
      setSession((prev) => (s && prev && JSON.stringify(prev.user) === JSON.stringify(s.user) ? prev : s));
    });
    async function load(attempt: number): Promise<void> {
      if (sessionClient.current()) return setSession(sessionClient.current());
      try {
        await sessionClient.refresh();
      } catch (e) {
        if (stopped) return;
        const transient = !(e instanceof ApiError) || e.status === 0 || e.status >= 429;
        const wait = LOAD_RETRY_MS[attempt];
        if (transient && wait !== undefined) {
          await new Promise((r) => setTimeout(r, wait));
          if (!stopped) return load(attempt + 1);
        }
        setSession(null);
      }
    }
    void load(0);
    return () => {
      stopped = true;
      unsubscribe();
    };
  }, []);

  const signIn = useCallback((s: Session) => sessionClient.set(s), []);

  const signOut = useCallback(async () => {
    // The cookie (with the CSRF header) names the session even if the access token has lapsed.
    await api('POST /auth/logout', { withCookie: true }).catch(() => {});
    sessionClient.clear();
  }, []);

  const signOutEverywhere = useCallback(async () => {
    await api('POST /auth/logout-all', { withCookie: true });
    sessionClient.clear();
  }, []);

  const reloadUser = useCallback(async () => {
    if (!sessionClient.current()) return;
    sessionClient.setUser(await api('GET /auth/me'));
  }, []);

  const value = useMemo(
    () => ({ session, signIn, signOut, signOutEverywhere, reloadUser }),
    [session, signIn, signOut, signOutEverywhere, reloadUser],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession outside SessionProvider');
  return ctx;
}

/** The logged-in session; sends the visitor to /login?next=<here> when there is none. */
export function useRequiredSession(): SignedIn | null {
  const { session } = useSession();
  const router = useRouter();
  useEffect(() => {
    if (session === null) {
      const back = `${window.location.pathname}${window.location.search}`;
      router.replace(`/login${back !== '/' ? `?next=${encodeURIComponent(back)}` : ''}`);
    }
  }, [session, router]);
  return session ?? null;
}
