'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import { ApiError, api } from '@/lib/api';
import { useSession } from '@/lib/session';

type State = { state: 'checking' } | { state: 'verified' } | { state: 'failed'; message: string };

/** /verify-email?token=…: confirms the address from the emailed link (works signed in or not). */
export function VerifyEmail() {
  const token = useSearchParams().get('token') ?? '';
  const { session, reloadUser } = useSession();
  const [result, setResult] = useState<State>({ state: 'checking' });

  useEffect(() => {
    if (!token) {
      setResult({ state: 'failed', message: 'This link is incomplete.' });
      return;
    }
    let cancelled = false;
    // Idempotent on the server, so React's development double effect (and a reload) are harmless.
    api('POST /auth/verify-email', { body: { token }, anonymous: true })
      .then(() => !cancelled && setResult({ state: 'verified' }))
      .catch(
        (e) =>
          !cancelled &&
          setResult({
            state: 'failed',
            message: e instanceof ApiError ? e.message : 'Could not verify the address.',
          }),
      );
    return () => {
      cancelled = true;
    };
  }, [token]);

  // A signed-in tab learns the new state (the banner goes away).
  useEffect(() => {
    if (result.state === 'verified' && session) void reloadUser().catch(() => {});
  }, [result.state, session, reloadUser]);

  return (
    <main className="auth">
      <div className="card auth-card">
        <h1>Verify your email</h1>
        {result.state === 'checking' && (
          <p className="muted" aria-busy="true">
            Checking the link…
          </p>
        )}
        {result.state === 'verified' && (
          <p className="alert alert-ok" role="status">
            Your email address is verified. Reminder emails will reach you there.
          </p>
        )}
        {result.state === 'failed' && (
          <p className="alert alert-error" role="alert">
            {result.message} Links expire; you can send a new one from your account page.
          </p>
        )}
        <p>{session ? <Link href="/">Go to your tasks</Link> : <Link href="/login">Log in</Link>}</p>
      </div>
    </main>
  );
}
