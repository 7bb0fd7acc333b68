/** A reminder as the form edits it ("2 hours before"); the API stores minutes before the due time. */
export type ReminderUnit = 'minutes' | 'hours' | 'days';
export interface ReminderDraft {
  amount: number;
  unit: ReminderUnit;
}

const MINUTES: Record<ReminderUnit, number> = { minutes: 1, hours: 60, days: 24 * 60 };

export const reminderToMinutes = (r: ReminderDraft) => Math.round(r.amount * MINUTES[r.unit]);

/** 1440 → 1 day, 90 → 90 minutes: the largest unit that divides evenly. */
export function minutesToReminder(minutes: number): ReminderDraft {
  if (minutes > 0 && minutes % MINUTES.days === 0) return { amount: minutes / MINUTES.days, unit: 'days' };
  if (minutes > 0 && minutes % MINUTES.hours === 0) return { amount: minutes / MINUTES.hours, unit: 'hours' };
  return { amount: minutes, unit: 'minutes' };
}
