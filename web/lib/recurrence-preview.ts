import { api } from './api';

/** The recurrence service's preview: a sentence ("every weekday at 08:45") and the next dates. */
export interface RecurrencePreview {
  text: string;
  next: string[];
}

export async function fetchRecurrencePreview(
  rule: string,
  dueAt: string,
  timeZone: string,
  count = 5,
): Promise<RecurrencePreview> {
  const p = await api('GET /recurrence/preview', {
    query: { rule, due_at: dueAt, time_zone: timeZone, count: String(count) },
  });
  return { text: p.text, next: p.occurrences.map((o) => o.due_at) };
}
