'use client';

import { type FormEvent, useState } from 'react';
import { ApiError, api } from '@/lib/api';
import { type SignedIn, useSession } from '@/lib/session';

type Outcome = { kind: 'ok'; message: string } | { kind: 'error'; error: ApiError } | null;

const asApiError = (e: unknown) => (e instanceof ApiError ? e : new ApiError(0, String(e)));

/** Change the password: a new session here, every other one ends (POST /auth/password). */
function ChangePassword() {
  const { signIn } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setOutcome(null);
    try {
      const s = await api('POST /auth/password', {
        body: { current_password: current, new_password: next },
      });
      signIn(s);
      setCurrent('');
      setNext('');
      setOutcome({ kind: 'ok', message: 'Password changed. Every other device has been logged out.' });
    } catch (err) {
      setOutcome({ kind: 'error', error: asApiError(err) });
    } finally {
      setBusy(false);
    }
  }

  const error = outcome?.kind === 'error' ? outcome.error : null;
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="password-heading">
      <h2 id="password-heading">Change password</h2>
      {outcome?.kind === 'ok' && (
        <p className="alert alert-ok" role="status">
          {outcome.message}
        </p>
      )}
      {error && (
        <p className="alert alert-error" role="alert">
          {error.message}
        </p>
      )}
      <label className="field">
        <span>Current password</span>
        <input
          type="password"
          name="current-password"
          autoComplete="current-password"
          required
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          aria-invalid={Boolean(error?.forField('current_password'))}
        />
      </label>
      <label className="field">
        <span>New password</span>
        <input
          type="password"
          name="new-password"
          autoComplete="new-password"
          required
          minLength={8}
          value={next}
          onChange={(e) => setNext(e.target.value)}
          aria-describedby="new-password-hint"
          aria-invalid={Boolean(error?.forField('new_password'))}
        />
        <small id="new-password-hint" className="muted">
          At least 8 characters.
        </small>
      </label>
      <button className="btn btn-primary" type="submit" disabled={busy}>
        {busy ? 'Please wait…' : 'Change password'}
      </button>
    </form>
  );
}

/** Log out here, or on every device (a lost phone, a shared computer). */
function Sessions() {
  const { signOut, signOutEverywhere } = useSession();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function everywhere() {
    setBusy(true);
    setError(null);
    try {
      await signOutEverywhere();
    } catch (e) {
      setError(asApiError(e).message);
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Sessions</h2>
      <p className="muted">“Log out everywhere” ends every session of this account, this one included.</p>
      {error && (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="button" className="btn" onClick={() => void signOut()} disabled={busy}>
          Log out
        </button>
        <button type="button" className="btn btn-danger" onClick={everywhere} disabled={busy}>
          Log out everywhere
        </button>
      </div>
    </section>
  );
}

/** /account: who is signed in, whether the address is verified, the password and the sessions. */
export function AccountPage({ session }: { session: SignedIn }) {
  const [resent, setResent] = useState<string | null>(null);

  async function resend() {
    try {
      await api('POST /auth/verify-email/resend');
      setResent('Sent. Check your inbox.');
    } catch (e) {
      setResent(asApiError(e).message);
    }
  }

  const { user } = session;
  return (
    <div className="account-page">
      <h1>Account</h1>
      <section className="card" aria-labelledby="profile-heading">
        <h2 id="profile-heading">Profile</h2>
        <p>
          {user.email}{' '}
          {user.email_verified === false ? (
            <span className="pill">Not verified</span>
          ) : user.email_verified ? (
            <span className="pill">Verified</span>
          ) : null}
        </p>
        <p className="muted">Time zone: {user.time_zone}</p>
        {user.email_verified === false && (
          <p>
            <button type="button" className="btn btn-small" onClick={resend}>
              Resend the verification email
            </button>{' '}
            <span role="status" className="small">
              {resent}
            </span>
          </p>
        )}
      </section>
      <ChangePassword />
      <Sessions />
    </div>
  );
}
