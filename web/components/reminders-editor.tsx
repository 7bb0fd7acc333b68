'use client';

import type { ReminderDraft, ReminderUnit } from '@/lib/reminders';

interface RemindersEditorProps {
  value: ReminderDraft[];
  onChange(value: ReminderDraft[]): void;
  disabled: boolean;
  error?: string;
}

/** Several reminders, each "N minutes/hours/days before" the due time. */
export function RemindersEditor({ value, onChange, disabled, error }: RemindersEditorProps) {
  const update = (i: number, patch: Partial<ReminderDraft>) =>
    onChange(value.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="reminders">
      <legend>Reminders</legend>
      {disabled && <p className="muted small">Set a due date to add reminders.</p>}
      <ul>
        {value.map((r, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity beyond their position
          <li key={i} className="row">
            <label className="field inline">
              <span className="sr-only">Reminder {i + 1} amount</span>
              <input
                type="number"
                min={0}
                max={999}
                value={r.amount}
                onChange={(e) => update(i, { amount: Number(e.target.value) })}
                style={{ width: '5em' }}
              />
            </label>
            <label className="field inline">
              <span className="sr-only">Reminder {i + 1} unit</span>
              <select value={r.unit} onChange={(e) => update(i, { unit: e.target.value as ReminderUnit })}>
                <option value="minutes">minutes</option>
                <option value="hours">hours</option>
                <option value="days">days</option>
              </select>
            </label>
            <span>before</span>
            <button
              type="button"
              className="btn-icon"
              aria-label={`Remove reminder ${i + 1}`}
              onClick={() => onChange(value.filter((_, j) => j !== i))}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <button
        type="button"
        className="btn btn-small"
        disabled={disabled || value.length >= 10}
        onClick={() => onChange([...value, { amount: 15, unit: 'minutes' }])}
      >
        + Add reminder
      </button>
    </fieldset>
  );
}
