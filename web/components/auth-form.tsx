'use client';

import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import { api } from '@/lib/api';
import { safeNext } from '@/lib/safe-next';
import { useSession } from '@/lib/session';
import { browserTimeZone } from '@/lib/time';
import { useFormSubmit } from '@/lib/use-form-submit';
import { FormError, FormField, SubmitButton } from './form-field';

/** Log in or sign up; on success, back to where the visitor was going. */
export function AuthForm({ mode }: { mode: 'login' | 'signup' }) {
  const { session, signIn } = useSession();
  const router = useRouter();
  const params = useSearchParams();
  // Only a path on this site: `?next=//evil.example` must not turn a log-in into a redirect elsewhere.
  const next = safeNext(params.get('next'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  useEffect(() => {
    if (session) router.replace(next);
  }, [session, router, next]);

  const { submit, busy, error } = useFormSubmit(async () => {
    const s =
      mode === 'signup'
        ? await api('POST /auth/signup', {
            body: { email, password, time_zone: browserTimeZone() },
            anonymous: true,
          })
        : await api('POST /auth/login', { body: { email, password }, anonymous: true });
    signIn(s);
  });

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
        {error && <FormError>{error.message}</FormError>}
        <FormField
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
          required
          value={email}
          onChange={setEmail}
          invalid={Boolean(error?.forField('email'))}
        />
        <FormField
          label="Password"
          type="password"
          name="password"
          autoComplete={mode === 'signup' ? 'new-password' : 'current-password'}
          required
          minLength={mode === 'signup' ? 8 : undefined}
          value={password}
          onChange={setPassword}
          hint={mode === 'signup' ? { id: 'password-hint', text: 'At least 8 characters.' } : undefined}
        />
        {mode === 'login' && (
          <p className="small">
            <Link href="/forgot-password">Forgot password?</Link>
          </p>
        )}
        <SubmitButton busy={busy}>{mode === 'signup' ? 'Sign up' : 'Log in'}</SubmitButton>
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
