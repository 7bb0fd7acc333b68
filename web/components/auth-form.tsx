'use client';

import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, api } from '@/lib/api';
import { safeNext } from '@/lib/safe-next';
import { useSession } from '@/lib/session';
import { browserTimeZone } from '@/lib/time';

/** Log in or sign up; on success, back to where the visitor was going. */
export function AuthForm({ mode }: { mode: 'login' | 'signup' }) {
  const { session, signIn } = useSession();
  const router = useRouter();
  const params = useSearchParams();
  // Only a path on this site: `?next=//evil.example` must not turn a log-in into a redirect elsewhere.
  const next = safeNext(params.get('next'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (session) router.replace(next);
  }, [session, router, next]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s =
        mode === 'signup'
          ? await api('POST /auth/signup', {
              body: { email, password, time_zone: browserTimeZone() },
              anonymous: true,
            })
          : await api('POST /auth/login', { body: { email, password }, anonymous: true });
      signIn(s);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, String(err)));
    } finally {
      setBusy(false);
    }
  }

  const title = mode === 'signup' ? 'Create your account' : 'Log in';
  return (
    <main className="auth">
      <form className="card auth-card" onSubmit={submit} noValidate>
        <h1>{title}</h1>
        <p className="muted">
          {mode === 'signup'
            ? 'Tasks with priorities, tags, recurrence and reminders.'
            : 'Welcome back. Your tasks are waiting.'}
        </p>
        {error && (
          <p className="alert alert-error" role="alert">
            {error.message}
          </p>
        )}
        <label className="field">
          <span>Email</span>
          <input
            type="email"
            name="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={Boolean(error?.forField('email'))}
          />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            name="password"
            autoComplete={mode === 'signup' ? 'new-password' : 'current-password'}
            required
            minLength={mode === 'signup' ? 8 : undefined}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-describedby={mode === 'signup' ? 'password-hint' : undefined}
          />
          {mode === 'signup' && (
            <small id="password-hint" className="muted">
              At least 8 characters.
            </small>
          )}
        </label>
        {mode === 'login' && (
          <p className="small">
            <Link href="/forgot-password">Forgot password?</Link>
          </p>
        )}
        <button className="btn btn-primary" type="submit" disabled={busy}>
          {busy ? 'Please wait…' : mode === 'signup' ? 'Sign up' : 'Log in'}
        </button>
        <p className="muted">
          {mode === 'signup' ? (
            <>
              Already have an account? <Link href="/login">Log in</Link>
            </>
          ) : (
            <>
              New here? <Link href="/signup">Create an account</Link>
            </>
          )}
        </p>
      </form>
    </main>
  );
}
