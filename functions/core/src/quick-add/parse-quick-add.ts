import { instantOf } from '../wall-clock.ts';
import { DEFAULT_TIME, extractWhen, type ParseContext, parseDateText, resolveWhen } from './dates.ts';
import { explicitPriority, extractReminders, extractTags, trailingPriority } from './meta.ts';
import { extractRepeat } from './recurrence-phrase.ts';
import { buildRepeatRule } from './repeat-rule.ts';
import type { QuickAddParse } from './schema.ts';
import { TextView } from './text-view.ts';
import { isoInZone, wallClockOf } from './wall-clock.ts';

export type { ParseContext } from './dates.ts';

/**
 * Reads a task the way people type it, with no network:
 *
 * @example
 * parseQuickAdd('Pay rent every month on the 1st at 9am remind me 1 day before #bills !high',
 *   { now: new Date(), timeZone: 'Europe/London' })
 * // → { title: 'Pay rent', recurrence: { rule: 'FREQ=MONTHLY;BYMONTHDAY=1', mode: 'schedule' },
 * //     due_at: '2026-04-01T09:00:00+01:00', reminders: [1440], tags: ['bills'], priority: 'high', … }
 *
 * Order matters: tags and explicit priorities first (they are unambiguous), then reminders ("1 day
 * before" would otherwise read as a date), then the repeat, then dates and times, and a bare trailing
 * priority word last. Whatever is left is the title. See quick-add/README.md for every decision on
 * ambiguous input.
 */
export function parseQuickAdd(text: string, ctx: ParseContext): QuickAddParse {
  const view = new TextView(text);
  const tags = extractTags(view);
  const explicit = explicitPriority(view);
  const reminders = extractReminders(view);
  // A bare year ends a repeat on its last day: "until 2030" = until 31 December 2030.
  const readDate = (t: string) =>
    /^\d{4}$/.test(t.trim()) ? { year: Number(t), month: 12, day: 31 } : parseDateText(t, ctx);
  const repeat = extractRepeat(view, readDate);
  const when = extractWhen(view, ctx);
  const priority = explicit ?? trailingPriority(view) ?? 'medium';
  const title = view.remainder();
  const notes = [...repeat.notes];

  let due: Date | undefined;
  let recurrence: QuickAddParse['recurrence'] = null;
  const now = wallClockOf(ctx.now, ctx.timeZone);
  if (repeat.repeat) {
    const phrase = repeat.repeat;
    const { start, until } = repeat;
    const at = when.instant ? wallClockOf(when.instant, ctx.timeZone) : undefined;
    const date = start ?? when.date ?? at ?? now;
    // An hourly repeat counts its hours from the range's start ("from 8am"), else from the time given,
    // else from the current hour when it starts today ("every 2 hours" typed at 14:20: 16:00, 18:00 …).
    const thisHour = date.year === now.year && date.month === now.month && date.day === now.day;
    const unset = phrase.freq === 'HOURLY' && thisHour ? { hour: now.hour, minute: 0 } : DEFAULT_TIME;
    const time = phrase.hours?.start ?? when.time ?? at ?? unset;
    const anchor = {
      year: date.year,
      month: date.month,
      day: date.day,
      hour: time.hour,
      minute: time.minute,
      second: 0,
    };
    const built = buildRepeatRule(
      phrase,
      anchor,
      now,
      until && { ...until, hour: 23, minute: 59, second: 0 },
      ctx.timeZone,
    );
    notes.push(...built.notes);
    recurrence = { rule: built.rule, mode: phrase.mode };
    due = instantOf(built.first, ctx.timeZone);
  } else {
    const resolved = resolveWhen(when, ctx);
    notes.push(...resolved.notes);
    if (resolved.instant) due = resolved.instant;
    else if (resolved.wall) due = instantOf(resolved.wall, ctx.timeZone);
  }

  let offsets = reminders.reminders;
  if (reminders.asked && !offsets.length && due) offsets = [0];
  if (offsets.length && !due) {
    notes.push('Reminders need a due date; add one (e.g. "tomorrow 9am") to keep the reminder.');
    offsets = [];
  }
  if (!title) notes.push('There is no title left; type what the task is.');
  return {
    title,
    due_at: due ? isoInZone(due, ctx.timeZone) : null,
    time_zone: ctx.timeZone,
    recurrence,
    reminders: offsets,
    tags,
    priority,
    notes,
  };
}
