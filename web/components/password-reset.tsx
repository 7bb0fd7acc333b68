'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { api, sessionClient } from '@/lib/api';
import { useFormSubmit } from '@/lib/use-form-submit';
import { FormError, FormField, SubmitButton } from './form-field';

/** /forgot-password: asks for a reset link. The answer is the same whether or not the address has an account. */
export function ForgotPasswordForm() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const { submit, busy, error } = useFormSubmit(async () => {
    await api('POST /auth/password-reset', { body: { email }, anonymous: true });
    setSent(true);
  });

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
            <SubmitButton busy={busy}>Send the link</SubmitButton>
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
  const { submit, busy, error } = useFormSubmit(async () => {
    await api('POST /auth/password-reset/confirm', {
      body: { token, password },
      anonymous: true,
    });
    // Every session ended on the server, this tab's included.
    sessionClient.clear();
    setDone(true);
  });

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
          <FormError>
            This link is incomplete. <Link href="/forgot-password">Ask for a new one</Link>.
          </FormError>
        ) : (
          <>
            {error && (
              <FormError>
                {error.message}
                {error.status === 400 && !error.forField('password') && (
                  <>
                    {' '}
                    <Link href="/forgot-password">Ask for a new link</Link>.
                  </>
                )}
              </FormError>
            )}
            <FormField
              label="New password"
              type="password"
              name="password"
              autoComplete="new-password"
              required
              minLength={8}
              value={password}
              onChange={setPassword}
              hint={{ id: 'reset-password-hint', text: 'At least 8 characters.' }}
              invalid={Boolean(error?.forField('password'))}
            />
            <SubmitButton busy={busy}>Set the new password</SubmitButton>
          </>
        )}
      </form>
    </main>
  );
}
