'use client';

import { type RecurrenceDraft, WEEKDAY_NAMES, WEEKDAYS, type Weekday } from '@/lib/rrule';

/** Weekday checkboxes (weekly rules pick their days; hourly ones may limit theirs). */
export function WeekdayPicker({
  legend,
  value,
  onChange,
  hint,
}: {
  legend: string;
  value: Weekday[];
  onChange(days: Weekday[]): void;
  hint?: string;
}) {
  return (
    <fieldset className="weekdays">
      <legend>{legend}</legend>
      {WEEKDAYS.map((w) => (
        <label key={w} className="check day">
          <input
            type="checkbox"
            checked={value.includes(w)}
            onChange={() => onChange(value.includes(w) ? value.filter((d) => d !== w) : [...value, w])}
          />
          {WEEKDAY_NAMES[w]}
        </label>
      ))}
      {hint && <small className="muted">{hint}</small>}
    </fieldset>
  );
}

const HOURS = Array.from({ length: 24 }, (_, h) => h);
const hourLabel = (h: number) => `${String(h).padStart(2, '0')}:00`;
/** Office hours: what "only between" starts with. */
const DEFAULT_HOURS = { from: 9, to: 17 };

interface HourlyProps {
  draft: RecurrenceDraft;
  set(patch: Partial<RecurrenceDraft>): void;
}

/** An hourly rule's limits: only between two hours of the day, only on some days. */
export function HourlyOptions({ draft, set }: HourlyProps) {
  const hours = draft.hours;
  return (
    <>
      <div className="row wrap">
        <label className="check">
          <input
            type="checkbox"
            checked={hours !== null}
            onChange={(e) => set({ hours: e.target.checked ? DEFAULT_HOURS : null })}
          />
          Only between
        </label>
        {hours && (
          <>
            <label className="field">
              <span>From</span>
              <select
                id="hourly-from"
                value={hours.from}
                onChange={(e) => {
                  const from = Number(e.target.value);
                  set({ hours: { from, to: Math.max(from, hours.to) } });
                }}
              >
                {HOURS.map((h) => (
                  <option key={h} value={h}>
                    {hourLabel(h)}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>To</span>
              <select
                id="hourly-to"
                value={hours.to}
                onChange={(e) => set({ hours: { from: hours.from, to: Number(e.target.value) } })}
              >
                {HOURS.filter((h) => h >= hours.from).map((h) => (
                  <option key={h} value={h}>
                    {hourLabel(h)}
                  </option>
                ))}
              </select>
            </label>
          </>
        )}
      </div>
      <WeekdayPicker
        legend="On days"
        value={draft.hourlyDays}
        onChange={(hourlyDays) => set({ hourlyDays })}
        hint="None ticked: every day."
      />
    </>
  );
}
