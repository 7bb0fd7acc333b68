'use client';

import Link from 'next/link';
import { useCallback, useEffect, useState } from 'react';
import { ApiError, api } from '@/lib/api';
import { NEXT_OCCURRENCE_BACKOFF_MS, pollUntil } from '@/lib/series';
import type { SignedIn } from '@/lib/session';
import { formatDue } from '@/lib/time';
import { useToast } from '@/lib/toast';
import { LABELS, type Series } from '@/lib/types';

/** A recurring task's series: occurrences so far, the next ones (before they exist), skip one, end it. */
export function SeriesView({ session, seriesId }: { session: SignedIn; seriesId: string }) {
  const zone = session.user.time_zone;
  const toast = useToast();
  const [series, setSeries] = useState<Series | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    return api('GET /series/{id}', { params: { id: seriesId }, query: { upcoming: '8' } })
      .then((s) => {
        setSeries(s);
        setError(null);
        return s;
      })
      .catch((e) => {
        setError(e instanceof ApiError ? e.message : 'Could not load the series.');
        return undefined;
      });
  }, [seriesId]);
  useEffect(() => {
    void load();
  }, [load]);

  /**
   * The next occurrence is created by an event function after a skip, which may be cold: reload at once,
   * then with the same backoff the task list uses after a completion, until it is there.
   */
  async function reloadUntilOpen() {
    await pollUntil(async () => {
      const s = await load();
      return !s || Boolean(s.ended_at) || s.occurrences.some((o) => o.state === 'open');
    }, [0, ...NEXT_OCCURRENCE_BACKOFF_MS]);
  }

  async function skip() {
    try {
      await api('POST /series/{id}/skip', { params: { id: seriesId } });
      toast.show('Skipped this occurrence; the next one opens in a moment.');
      await reloadUntilOpen();
    } catch (e) {
      toast.show(e instanceof ApiError ? e.message : 'Could not skip that occurrence.');
    }
  }

  async function end() {
    if (!window.confirm('End this series? Tasks already created stay; no new ones will be made.')) return;
    try {
      await api('POST /series/{id}/end', { params: { id: seriesId } });
      toast.show('Series ended.');
      await load();
    } catch (e) {
      toast.show(e instanceof ApiError ? e.message : 'Could not end the series.');
    }
  }

  if (error) {
    return (
      <div className="alert alert-error" role="alert">
        <p>{error}</p>
        <Link href="/">Back to tasks</Link>
      </div>
    );
  }
  if (!series) return <p className="muted">Loading series…</p>;
  const title = series.occurrences.at(-1)?.title ?? 'Recurring task';
  const open = series.occurrences.find((o) => o.state === 'open');
  return (
    <section className="narrow" aria-labelledby="series-heading">
      <h1 id="series-heading">{title}</h1>
      {series.recurrence && (
        <p>
          <strong>{series.recurrence.text}</strong>{' '}
          <span className="muted small">
            ({series.time_zone}
            {series.recurrence.mode === 'completion' ? ', counted from completion' : ''})
          </span>
        </p>
      )}
      {series.ended_at ? (
        <p className="alert">This series ended {formatDue(series.ended_at, zone)}.</p>
      ) : (
        <div className="row wrap">
          {open && (
            <button type="button" className="btn" onClick={skip}>
              Skip the open occurrence{open.due_at ? ` (${formatDue(open.due_at, zone)})` : ''}
            </button>
          )}
          <button type="button" className="btn btn-danger" onClick={end}>
            End series
          </button>
        </div>
      )}
      <div className="series-grid">
        <section aria-labelledby="upcoming-heading">
          <h2 id="upcoming-heading">Upcoming</h2>
          {series.upcoming.length === 0 && <p className="muted">No more occurrences.</p>}
          <ol className="occurrences">
            {series.upcoming.map((o) => (
              <li key={o.occurrence_number}>
                <time dateTime={o.due_at}>{formatDue(o.due_at, zone)}</time>
                <span className="muted small">#{o.occurrence_number}</span>
              </li>
            ))}
          </ol>
        </section>
        <section aria-labelledby="past-heading">
          <h2 id="past-heading">So far</h2>
          <ol className="occurrences">
            {series.occurrences.map((t) => (
              <li key={t.id} className={t.state === 'skipped' ? 'skipped' : ''}>
                <Link href={`/tasks/${t.id}`}>
                  <time dateTime={t.due_at ?? undefined}>
                    {t.due_at ? formatDue(t.due_at, zone) : t.title}
                  </time>
                </Link>
                <span className={`pill state-${t.state}`}>
                  {t.state === 'open' ? LABELS.status[t.status] : t.state === 'done' ? 'Done' : 'Skipped'}
                </span>
              </li>
            ))}
          </ol>
        </section>
      </div>
    </section>
  );
}
