'use client';

import { useRouter } from 'next/navigation';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, onUnauthorized } from './api';
import { type Session, User } from './types';

const STORAGE_KEY = 'todo.session';

interface SessionState {
  /** undefined while the stored session is being checked; null when logged out. */
  session: Session | null | undefined;
  signIn(session: Session): void;
  signOut(): void;
}

const SessionContext = createContext<SessionState | null>(null);

function readStored(): Session | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

/** Keeps the access token in localStorage so a reload stays logged in; checks it once with /auth/me. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null | undefined>(undefined);

  const signOut = useCallback(() => {
    localStorage.removeItem(STORAGE_KEY);
    setSession(null);
  }, []);

  const signIn = useCallback((s: Session) => {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(s));
    setSession(s);
  }, []);

  useEffect(() => {
    const stored = readStored();
    if (!stored) {
      setSession(null);
      return;
    }
    setSession(stored);
    api('/auth/me', User, { token: stored.token })
      .then((user) => signIn({ token: stored.token, user }))
      .catch(() => {
        // 401 already signs out through onUnauthorized; other failures keep the stored session.
      });
  }, [signIn]);

  useEffect(() => onUnauthorized(signOut), [signOut]);

  const value = useMemo(() => ({ session, signIn, signOut }), [session, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession outside SessionProvider');
  return ctx;
}

/** The logged-in session; sends the visitor to /login when there is none. */
export function useRequiredSession(): Session | null {
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
