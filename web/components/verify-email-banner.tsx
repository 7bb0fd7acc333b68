'use client';

import { useEffect, useState } from 'react';
import { ApiError, api } from '@/lib/api';

/** Dismissed for this tab's life only (a flag, not a credential), so it returns in a new visit. */
const DISMISSED_KEY = 'todo.verify-banner-dismissed';

type Resend =
  | { state: 'idle' }
  | { state: 'sending' }
  | { state: 'sent' }
  | { state: 'error'; message: string };

/** Asks an unverified user to confirm their address (reminder emails go only to verified ones). */
export function VerifyEmailBanner({ email }: { email: string }) {
  const [dismissed, setDismissed] = useState(true);
  const [resend, setResend] = useState<Resend>({ state: 'idle' });

  // Read after mount: the server render has no sessionStorage.
  useEffect(() => setDismissed(sessionStorage.getItem(DISMISSED_KEY) === email), [email]);

  if (dismissed) return null;

  function dismiss() {
    sessionStorage.setItem(DISMISSED_KEY, email);
    setDismissed(true);
  }

  async function send() {
    setResend({ state: 'sending' });
    try {
      await api('POST /auth/verify-email/resend');
      setResend({ state: 'sent' });
    } catch (e) {
      setResend({ state: 'error', message: e instanceof ApiError ? e.message : 'Could not send the email.' });
    }
  }

  return (
    <section className="alert banner" aria-label="Verify your email">
      <p>
        Please confirm <strong>{email}</strong>: open the link we emailed you. Until then reminders arrive
        here only, not by email.
      </p>
      <div className="banner-actions">
        <button
          type="button"
          className="btn btn-small"
          onClick={send}
          disabled={resend.state === 'sending' || resend.state === 'sent'}
        >
          {resend.state === 'sending' ? 'Sending…' : 'Resend the email'}
        </button>
        <button type="button" className="btn btn-small" onClick={dismiss}>
          Dismiss
        </button>
        <span role="status" className="small">
          {resend.state === 'sent' && 'Sent. Check your inbox.'}
          {resend.state === 'error' && resend.message}
        </span>
      </div>
    </section>
  );
}
