'use client';

import { useEffect, useState } from 'react';
import { api, toApiError } from '@/lib/api';
import { FormError } from './form-field';

/** What the account's feed looks like to this page: not loaded yet, none, or an address (null: unshowable). */
type FeedState = { kind: 'loading' } | { kind: 'none' } | { kind: 'on'; url: string | null };

/**
 * The addresses calendar apps subscribe with. Apple Calendar opens `webcal:`; Google and Outlook take the
 * address in their "add by URL" pages (they fetch it from their servers, so it must be public: it is,
 * behind its secret token).
 */
export function subscribeLinks(url: string) {
  const webcal = url.replace(/^https?:/, 'webcal:');
  return {
    apple: webcal,
    google: `https://calendar.google.com/calendar/r?cid=${encodeURIComponent(webcal)}`,
    outlook: `https://outlook.live.com/calendar/0/addfromweb?url=${encodeURIComponent(url)}&name=${encodeURIComponent('Tasks')}`,
  };
}

/**
 * /account → Calendar feed: a secret iCalendar address of the tasks with due dates (GET/POST/DELETE
 * /calendar-feed). A new address ends the old one at once, so the page says so before making one.
 */
export function CalendarFeedSettings() {
  const [feed, setFeed] = useState<FeedState>({ kind: 'loading' });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    api('GET /calendar-feed').then(
      (f) => setFeed({ kind: 'on', url: f.url }),
      (e) => {
        const err = toApiError(e);
        if (err.status === 404) setFeed({ kind: 'none' });
        else setError(err.message);
      },
    );
  }, []);

  async function change(action: () => Promise<FeedState>) {
    setBusy(true);
    setError(null);
    setCopied(false);
    try {
      setFeed(await action());
    } catch (e) {
      setError(toApiError(e).message);
    } finally {
      setBusy(false);
    }
  }
  const create = () =>
    change(async () => ({ kind: 'on', url: (await api('POST /calendar-feed')).url }) as FeedState);
  const regenerate = () => {
    if (window.confirm('Make a new address? Calendars subscribed to the current one stop updating.'))
      void create();
  };
  const revoke = () => {
    if (window.confirm('Turn the calendar feed off? Subscribed calendars stop updating.'))
      void change(async () => {
        await api('DELETE /calendar-feed');
        return { kind: 'none' };
      });
  };
  async function copy(url: string) {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      setError('Could not copy; select the address and copy it yourself.');
    }
  }

  return (
    <section className="card" aria-labelledby="calendar-heading" aria-busy={feed.kind === 'loading'}>
      <h2 id="calendar-heading">Calendar feed</h2>
      <p className="muted">
        Subscribe from Google, Apple or Outlook calendar to see your tasks with due dates, repeating ones
        included. Anyone with the address can read them: keep it to yourself.
      </p>
      {error && <FormError>{error}</FormError>}
      {feed.kind === 'none' && (
        <button type="button" className="btn" onClick={() => void create()} disabled={busy}>
          Create a calendar address
        </button>
      )}
      {feed.kind === 'on' && (
        <>
          {feed.url ? (
            <FeedAddress url={feed.url} copied={copied} onCopy={() => void copy(feed.url!)} />
          ) : (
            <p>The feed is on, but its address can no longer be shown; make a new one to see it.</p>
          )}
          <div className="actions">
            <button type="button" className="btn" onClick={regenerate} disabled={busy}>
              Make a new address
            </button>
            <button type="button" className="btn btn-danger" onClick={revoke} disabled={busy}>
              Turn off
            </button>
          </div>
        </>
      )}
    </section>
  );
}

function FeedAddress({ url, copied, onCopy }: { url: string; copied: boolean; onCopy: () => void }) {
  const links = subscribeLinks(url);
  return (
    <>
      <p className="field">
        <label htmlFor="calendar-url">Calendar address</label>
        <input id="calendar-url" readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
      </p>
      <p className="actions">
        <button type="button" className="btn btn-small" onClick={onCopy}>
          Copy the address
        </button>
        <span role="status" className="small">
          {copied ? 'Copied.' : ''}
        </span>
      </p>
      <p>
        Subscribe in <a href={links.apple}>Apple Calendar</a>,{' '}
        <a href={links.google} target="_blank" rel="noreferrer">
          Google Calendar
        </a>{' '}
        or{' '}
        <a href={links.outlook} target="_blank" rel="noreferrer">
          Outlook
        </a>
        .
      </p>
    </>
  );
}
