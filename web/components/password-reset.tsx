'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { ApiError, api, sessionClient } from '@/lib/api';

const asApiError = (e: unknown) => (e instanceof ApiError ? e : new ApiError(0, String(e)));

/** /forgot-password: asks for a reset link. The answer is the same whether or not the address has an account. */
export function ForgotPasswordForm() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('POST /auth/password-reset', { body: { email }, anonymous: true });
      setSent(true);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="auth">
      <form className="card auth-card" onSubmit={submit} noValidate>
        <h1>Reset your password</h1>
        {sent ? (
          <p className="alert alert-ok" role="status">
            If an account uses {email}, we have emailed it a link to choose a new password. The link works
            once, for an hour.
          </p>
        ) : (
          <>
            <p className="muted">We will email you a link to choose a new one.</p>
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
            <button className="btn btn-primary" type="submit" disabled={busy}>
              {busy ? 'Please wait…' : 'Send the link'}
            </button>
          </>
        )}
        <p className="muted">
          <Link href="/login">Back to log in</Link>
        </p>
      </form>
    </main>
  );
}

/** /reset-password?token=…: the link from that email; a new password ends every session. */
export function ResetPasswordForm() {
  const token = useSearchParams().get('token') ?? '';
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('POST /auth/password-reset/confirm', {
        body: { token, password },
        anonymous: true,
      });
      // Every session ended on the server, this tab's included.
      sessionClient.clear();
      setDone(true);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="auth">
      <form className="card auth-card" onSubmit={submit} noValidate>
        <h1>Choose a new password</h1>
        {done ? (
          <p className="alert alert-ok" role="status">
            Your password has been changed and every device logged out. <Link href="/login">Log in</Link> with
            the new one.
          </p>
        ) : !token ? (
          <p className="alert alert-error" role="alert">
            This link is incomplete. <Link href="/forgot-password">Ask for a new one</Link>.
          </p>
        ) : (
          <>
            {error && (
              <p className="alert alert-error" role="alert">
                {error.message}
                {error.status === 400 && !error.forField('password') && (
                  <>
                    {' '}
                    <Link href="/forgot-password">Ask for a new link</Link>.
                  </>
                )}
              </p>
            )}
            <label className="field">
              <span>New password</span>
              <input
                type="password"
                name="password"
                autoComplete="new-password"
                required
                minLength={8}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                aria-describedby="reset-password-hint"
                aria-invalid={Boolean(error?.forField('password'))}
              />
              <small id="reset-password-hint" className="muted">
                At least 8 characters.
              </small>
            </label>
            <button className="btn btn-primary" type="submit" disabled={busy}>
              {busy ? 'Please wait…' : 'Set the new password'}
            </button>
          </>
        )}
      </form>
    </main>
  );
}
