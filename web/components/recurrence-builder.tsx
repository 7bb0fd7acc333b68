'use client';

import { useEffect, useState } from 'react';
import { ApiError } from '@/lib/api';
import { fetchRecurrencePreview, type RecurrencePreview } from '@/lib/recurrence-preview';
import { type RecurrenceDraft, type RepeatKind, WEEKDAY_NAMES, WEEKDAYS, type Weekday } from '@/lib/rrule';
import { formatDue } from '@/lib/time';
import { HourlyOptions, WeekdayPicker } from './recurrence-options';

const KINDS: { value: RepeatKind; label: string }[] = [
  { value: 'none', label: 'Does not repeat' },
  { value: 'hourly', label: 'Hourly' },
  { value: 'daily', label: 'Daily' },
  { value: 'weekdays', label: 'Every weekday (Mon–Fri)' },
  { value: 'weekly', label: 'Weekly on chosen days' },
  { value: 'monthly_day', label: 'Monthly on a day' },
  { value: 'monthly_nth', label: 'Monthly on the nth weekday' },
  { value: 'monthly_last', label: 'Monthly on the last day' },
  { value: 'yearly', label: 'Yearly' },
  { value: 'raw', label: 'Custom RRULE' },
];

const UNIT: Partial<Record<RepeatKind, string>> = {
  hourly: 'hours',
  daily: 'days',
  weekly: 'weeks',
  monthly_day: 'months',
  monthly_nth: 'months',
  monthly_last: 'months',
  yearly: 'years',
};

const NTH = [
  { value: 1, label: 'first' },
  { value: 2, label: 'second' },
  { value: 3, label: 'third' },
  { value: 4, label: 'fourth' },
  { value: -1, label: 'last' },
];

interface RecurrenceBuilderProps {
  draft: RecurrenceDraft;
  onChange(draft: RecurrenceDraft): void;
  rule: string | null;
  dueAt: string | null;
  zone: string;
  error?: string;
}

type PreviewState =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'ok'; preview: RecurrencePreview }
  | { state: 'error'; message: string };

/** Repeat options as plain choices (or a raw RRULE), with a live sentence and the next dates. */
export function RecurrenceBuilder({ draft, onChange, rule, dueAt, zone, error }: RecurrenceBuilderProps) {
  const [preview, setPreview] = useState<PreviewState>({ state: 'idle' });
  const set = (patch: Partial<RecurrenceDraft>) => onChange({ ...draft, ...patch });

  useEffect(() => {
    if (!rule || !dueAt) {
      setPreview({ state: 'idle' });
      return;
    }
    setPreview({ state: 'loading' });
    let cancelled = false;
    const t = setTimeout(() => {
      fetchRecurrencePreview(rule, dueAt, zone)
        .then((p) => !cancelled && setPreview({ state: 'ok', preview: p }))
        .catch((e) => {
          if (cancelled) return;
          const message = e instanceof ApiError ? e.message : 'Preview unavailable.';
          setPreview({ state: 'error', message });
        });
    }, 250);
    return () => {
      cancelled = true;
      clearTimeout(t);
    };
  }, [rule, dueAt, zone]);

  const unit = UNIT[draft.kind];
  return (
    <fieldset className="recurrence">
      <legend>Repeat</legend>
      <div className="row wrap">
        <label className="field">
          <span>Repeats</span>
          <select
            id="repeat"
            value={draft.kind}
            onChange={(e) => set({ kind: e.target.value as RepeatKind })}
          >
            {KINDS.map((k) => (
              <option key={k.value} value={k.value}>
                {k.label}
              </option>
            ))}
          </select>
        </label>
        {unit && (
          <label className="field">
            <span>Every</span>
            <span className="row">
              <input
                type="number"
                min={1}
                max={999}
                value={draft.interval}
                onChange={(e) => set({ interval: Math.max(1, Number(e.target.value) || 1) })}
                style={{ width: '5em' }}
                aria-describedby="interval-unit"
              />
              <span id="interval-unit">{unit}</span>
            </span>
          </label>
        )}
        {draft.kind === 'monthly_day' && (
          <label className="field">
            <span>Day of month</span>
            <input
              type="number"
              min={1}
              max={31}
              value={draft.monthDay}
              onChange={(e) => set({ monthDay: Math.min(31, Math.max(1, Number(e.target.value) || 1)) })}
              style={{ width: '5em' }}
            />
          </label>
        )}
        {draft.kind === 'monthly_nth' && (
          <>
            <label className="field">
              <span>On the</span>
              <select value={draft.nth} onChange={(e) => set({ nth: Number(e.target.value) })}>
                {NTH.map((n) => (
                  <option key={n.value} value={n.value}>
                    {n.label}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Weekday</span>
              <select
                value={draft.nthWeekday}
                onChange={(e) => set({ nthWeekday: e.target.value as Weekday })}
              >
                {WEEKDAYS.map((w) => (
                  <option key={w} value={w}>
                    {WEEKDAY_NAMES[w]}
                  </option>
                ))}
              </select>
            </label>
          </>
        )}
        {draft.kind !== 'none' && (
          <label className="field">
            <span>Next one counts from</span>
            <select
              value={draft.mode}
              onChange={(e) => set({ mode: e.target.value as RecurrenceDraft['mode'] })}
            >
              <option value="schedule">the schedule</option>
              <option value="completion">completion</option>
            </select>
          </label>
        )}
      </div>

      {draft.kind === 'weekly' && (
        <WeekdayPicker legend="On days" value={draft.weekdays} onChange={(weekdays) => set({ weekdays })} />
      )}
      {draft.kind === 'hourly' && <HourlyOptions draft={draft} set={set} />}

      {draft.kind === 'raw' && (
        <label className="field">
          <span>RRULE</span>
          <input
            value={draft.raw}
            onChange={(e) => set({ raw: e.target.value })}
            spellCheck={false}
            placeholder="FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"
            aria-describedby="raw-hint"
          />
          <small id="raw-hint" className="muted">
            RFC 5545 rule; the first occurrence is the due date.
          </small>
        </label>
      )}

      {draft.kind !== 'none' && draft.kind !== 'raw' && (
        <div className="row wrap">
          <label className="field">
            <span>Ends</span>
            <select
              value={draft.end}
              onChange={(e) => set({ end: e.target.value as RecurrenceDraft['end'] })}
            >
              <option value="never">Never</option>
              <option value="count">After a number of times</option>
              <option value="until">On a date</option>
            </select>
          </label>
          {draft.end === 'count' && (
            <label className="field">
              <span>Occurrences</span>
              <input
                type="number"
                min={1}
                max={999}
                value={draft.count}
                onChange={(e) => set({ count: Math.max(1, Number(e.target.value) || 1) })}
                style={{ width: '6em' }}
              />
            </label>
          )}
          {draft.end === 'until' && (
            <label className="field">
              <span>Last date</span>
              <input type="date" value={draft.until} onChange={(e) => set({ until: e.target.value })} />
            </label>
          )}
        </div>
      )}

      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}

      {draft.kind !== 'none' && (
        <div className="preview" aria-live="polite" data-testid="recurrence-preview">
          {!dueAt && <p className="muted">Set a due date and time: the first occurrence starts there.</p>}
          {preview.state === 'loading' && <p className="muted">Working out the dates…</p>}
          {preview.state === 'error' && <p className="field-error">{preview.message}</p>}
          {preview.state === 'ok' && (
            <>
              <p>
                <strong>{preview.preview.text}</strong>
              </p>
              {preview.preview.next.length > 0 && (
                <ol className="next-dates" aria-label="Next dates">
                  {preview.preview.next.map((d) => (
                    <li key={d}>
                      <time dateTime={d}>{formatDue(d, zone)}</time>
                    </li>
                  ))}
                </ol>
              )}
            </>
          )}
          {rule && (
            <p className="muted small">
              <code>{rule}</code>
            </p>
          )}
        </div>
      )}
    </fieldset>
  );
}
