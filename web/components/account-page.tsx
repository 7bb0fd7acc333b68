'use client';

import { useState } from 'react';
import { api, toApiError } from '@/lib/api';
import { type SignedIn, useSession } from '@/lib/session';
import { useFormSubmit } from '@/lib/use-form-submit';
import { CalendarFeedSettings } from './calendar-feed-settings';
import { DataTransferSettings } from './data-transfer-settings';
import { FormError, FormField, SubmitButton } from './form-field';

/** Change the password: a new session here, every other one ends (POST /auth/password). */
function ChangePassword() {
  const { signIn } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [changed, setChanged] = useState(false);
  const { submit, busy, error } = useFormSubmit(async () => {
    setChanged(false);
    const s = await api('POST /auth/password', {
      body: { current_password: current, new_password: next },
    });
    signIn(s);
    setCurrent('');
    setNext('');
    setChanged(true);
  });

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="password-heading">
      <h2 id="password-heading">Change password</h2>
      {changed && (
        <p className="alert alert-ok" role="status">
          Password changed. Every other device has been logged out.
        </p>
      )}
      {error && <FormError>{error.message}</FormError>}
      <FormField
        label="Current password"
        type="password"
        name="current-password"
        autoComplete="current-password"
        required
        value={current}
        onChange={setCurrent}
        invalid={Boolean(error?.forField('current_password'))}
      />
      <FormField
        label="New password"
        type="password"
        name="new-password"
        autoComplete="new-password"
        required
        minLength={8}
        value={next}
        onChange={setNext}
        hint={{ id: 'new-password-hint', text: 'At least 8 characters.' }}
        invalid={Boolean(error?.forField('new_password'))}
      />
      <SubmitButton busy={busy}>Change password</SubmitButton>
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
      setError(toApiError(e).message);
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Sessions</h2>
      <p className="muted">“Log out everywhere” ends every session of this account, this one included.</p>
      {error && <FormError>{error}</FormError>}
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

/** /account: who is signed in, whether the address is verified, the password, the calendar feed, export/import, the sessions. */
export function AccountPage({ session }: { session: SignedIn }) {
  const [resent, setResent] = useState<string | null>(null);

  async function resend() {
    try {
      await api('POST /auth/verify-email/resend');
      setResent('Sent. Check your inbox.');
    } catch (e) {
      setResent(toApiError(e).message);
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
      <CalendarFeedSettings />
      <DataTransferSettings />
      <Sessions />
    </div>
  );
}
