import * as chrono from 'chrono-node';
import { DateTime } from 'luxon';
import { addDays, compareWallTime, instantOf, type WallTime, weekdayOf } from '../wall-clock.ts';
import { TextView } from './text-view.ts';
import { MONTH_NAME, ORDINAL_DAY } from './vocabulary.ts';
import { wallClockOf } from './wall-clock.ts';

export interface ParseContext {
  now: Date;
  timeZone: string;
}

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

export interface TimeOfDay {
  hour: number;
  minute: number;
}

/** What the text said about when: a date, a time of day, or an exact instant ("in 2 hours"). */
export interface WhenPhrase {
  date?: CalendarDate;
  time?: TimeOfDay;
  instant?: Date;
  /** The date came from a bare weekday ("friday"), which means the next one if today's has passed. */
  weekdayOnly?: boolean;
}

/** A date without a time is due at 09:00 local; "today" after 09:00 is due at the end of the day. */
export const DEFAULT_TIME: TimeOfDay = { hour: 9, minute: 0 };
export const END_OF_DAY: TimeOfDay = { hour: 23, minute: 59 };

const today = (ctx: ParseContext): WallTime => wallClockOf(ctx.now, ctx.timeZone);
const sameDate = (a: CalendarDate, b: CalendarDate) =>
  a.year === b.year && a.month === b.month && a.day === b.day;
const dateOf = (w: WallTime): CalendarDate => ({ year: w.year, month: w.month, day: w.day });
const at = (d: CalendarDate, t: TimeOfDay): WallTime => ({ ...d, ...t, second: 0 });

/**
 * Numeric dates are read month-first in the Americas (3/4 = March 4) and day-first elsewhere
 * (3/4 = 3 April), following the user's time zone; ISO dates (2026-03-04) are never ambiguous.
 * chrono's own en-GB setup also reads "march 28" as March 2028, so day-first is the US setup with only
 * its slash-date parser swapped.
 */
const monthFirst = chrono.en.casual;
const dayFirst = (() => {
  const config = chrono.en.configuration.createCasualConfiguration(false);
  config.parsers = config.parsers.map((parser) => {
    const Parser = parser.constructor as new (littleEndian: boolean) => typeof parser;
    return Parser.name === 'SlashDateFormatParser' ? new Parser(true) : parser;
  });
  return new chrono.Chrono(config);
})();

function chronoFor(zone: string): chrono.Chrono {
  return zone.startsWith('America/') || zone.startsWith('US/') ? monthFirst : dayFirst;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** Phrases chrono reads differently from how people using a todo list mean them. */
function extractFixedPhrases(view: TextView, ctx: ParseContext): CalendarDate | undefined {
  const now = today(ctx);
  const rules: [RegExp, (m: RegExpExecArray) => CalendarDate][] = [
    // "next week": the Monday of next week (chrono says "a week from today").
    [/(^|\s)next\s+week(?=\s|$|[,.;])/, () => dateOf(addDays(now, (8 - weekdayOf(now)) % 7 || 7))],
    // "next month": the 1st of next month (chrono says "a month from today").
    [
      /(^|\s)next\s+month(?=\s|$|[,.;])/,
      () =>
        now.month === 12
          ? { year: now.year + 1, month: 1, day: 1 }
          : { year: now.year, month: now.month + 1, day: 1 },
    ],
    // 29 February: chrono rejects it in non-leap years; it means the next leap day.
    [
      /(^|\s)(?:on\s+)?(?:feb(?:ruary)?\s+29(?:th)?|29(?:th)?\s+(?:of\s+)?feb(?:ruary)?)(?=\s|$|[,.;])/,
      () => {
        let year = now.year + (now.month > 2 || (now.month === 2 && now.day > 29) ? 1 : 0);
        while (!isLeap(year)) year++;
        return { year, month: 2, day: 29 };
      },
    ],
    // "on the 15th": the next 15th, this month if it is still ahead (or today).
    [
      new RegExp(`(^|\\s)(?:on\\s+)?the\\s+(${ORDINAL_DAY})(?!\\s+(?:of\\s+)?${MONTH_NAME})(?=\\s|$|[,.;])`),
      (m) => {
        const want = Number.parseInt(m[2]!, 10);
        let { year, month } = now;
        if (now.day > want) [year, month] = month === 12 ? [year + 1, 1] : [year, month + 1];
        while (daysIn(year, month) < want) [year, month] = month === 12 ? [year + 1, 1] : [year, month + 1];
        return { year, month, day: want };
      },
    ],
  ];
  for (const [re, build] of rules) {
    const m = re.exec(view.text);
    if (!m) continue;
    const date = build(m);
    view.consume(m.index + m[1]!.length, m.index + m[0].length, 'when');
    return date;
  }
  return undefined;
}

const CASUAL_TIMES: Record<string, TimeOfDay> = {
  'casualReference/morning': { hour: 9, minute: 0 },
  'casualReference/tonight': { hour: 20, minute: 0 },
};

function timeOf(r: chrono.ParsedResult): TimeOfDay | undefined {
  const tags = r.tags();
  for (const [tag, time] of Object.entries(CASUAL_TIMES)) if (tags.has(tag)) return time;
  const casual = [...tags].some((t) => /casualReference\/(afternoon|evening|noon|midnight)/.test(t));
  if (!r.start.isCertain('hour') && !casual) return undefined;
  let hour = r.start.get('hour') ?? 0;
  // "at 5" with no am/pm: nobody schedules a task for 5 in the morning by accident, so 1–7 mean pm.
  if (!r.start.isCertain('meridiem') && hour >= 1 && hour <= 7 && !/\b0\d[:.h]/.test(r.text)) hour += 12;
  return { hour, minute: r.start.get('minute') ?? 0 };
}

function hasDate(r: chrono.ParsedResult): boolean {
  const tags = [...r.tags()];
  return (
    r.start.isCertain('day') ||
    r.start.isCertain('weekday') ||
    r.start.isCertain('month') ||
    tags.some((t) => /casualReference\/(today|tomorrow|yesterday|tonight)|result\/relativeDate$/.test(t))
  );
}

/** Finds the date and time in the text (fixed phrases first, then chrono) and consumes them. */
export function extractWhen(view: TextView, ctx: ParseContext): WhenPhrase {
  const when: WhenPhrase = {};
  const fixed = extractFixedPhrases(view, ctx);
  if (fixed) when.date = fixed;
  const offset = DateTime.fromJSDate(ctx.now, { zone: ctx.timeZone }).offset;
  const results = chronoFor(ctx.timeZone).parse(
    view.text,
    { instant: ctx.now, timezone: offset },
    { forwardDate: true },
  );
  for (const r of results) {
    let used = false;
    if (r.tags().has('result/relativeDateAndTime') && !when.date && !when.instant) {
      when.instant = r.start.date();
      used = true;
    } else {
      if (!when.date && !when.instant && hasDate(r)) {
        when.date = { year: r.start.get('year')!, month: r.start.get('month')!, day: r.start.get('day')! };
        when.weekdayOnly = r.start.isCertain('weekday') && !r.start.isCertain('day');
        used = true;
      }
      const time = timeOf(r);
      if (time && !when.time && !when.instant) {
        when.time = time;
        used = true;
      }
    }
    if (used) view.consume(r.index, r.index + r.text.length, 'when');
  }
  return when;
}

/** A date on its own ("march 31", "next friday"), for "until …" and "starting …". */
export function parseDateText(text: string, ctx: ParseContext): CalendarDate | undefined {
  const when = extractWhen(new TextView(text), ctx);
  if (when.date) return when.date;
  return when.instant ? dateOf(wallClockOf(when.instant, ctx.timeZone)) : undefined;
}

export interface ResolvedWhen {
  wall?: WallTime;
  instant?: Date;
  notes: string[];
}

/** Turns what the text said into a local date and time, filling the gaps the way the README describes. */
export function resolveWhen(when: WhenPhrase, ctx: ParseContext): ResolvedWhen {
  const notes: string[] = [];
  if (when.instant) return { instant: when.instant, notes };
  if (!when.date && !when.time) return { notes };
  const now = today(ctx);
  let date = when.date ?? dateOf(now);
  let time = when.time;
  if (!when.date && time && compareWallTime(at(date, time), now) <= 0) date = dateOf(addDays(now, 1));
  if (when.weekdayOnly && time && sameDate(date, now) && compareWallTime(at(date, time), now) <= 0) {
    date = dateOf(addDays(now, 7));
  }
  if (!time) {
    time =
      sameDate(date, now) && compareWallTime(at(date, DEFAULT_TIME), now) <= 0 ? END_OF_DAY : DEFAULT_TIME;
  }
  const wall = at(date, time);
  if (compareWallTime(wall, now) < 0) notes.push('That time has already passed, so the task is overdue.');
  return { wall, notes };
}

/**
 * The new due date for "move X to friday": a date without a time keeps the task's current time of day,
 * so moving a 14:00 dentist appointment to Friday keeps it at 14:00.
 */
export function rescheduleTarget(text: string, ctx: ParseContext, currentDue: Date | null): Date | undefined {
  const view = new TextView(text);
  const when = extractWhen(view, ctx);
  if (!when.time && when.date && currentDue) {
    const local = wallClockOf(currentDue, ctx.timeZone);
    when.time = { hour: local.hour, minute: local.minute };
  }
  const resolved = resolveWhen(when, ctx);
  if (resolved.instant) return resolved.instant;
  return resolved.wall ? instantOf(resolved.wall, ctx.timeZone) : undefined;
}
