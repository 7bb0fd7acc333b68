'use client';

import { type FormEvent, useState } from 'react';
import { type ApiError, toApiError } from './api-error';

/**
 * A form's submit: `busy` while `send` runs (the button says so and cannot send twice), and the error it
 * threw, cleared when the next try starts. The one place the account and log-in forms handle a submit.
 */
export function useFormSubmit(send: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await send();
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setBusy(false);
    }
  }

  return { submit, busy, error };
}
