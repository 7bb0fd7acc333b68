import { DateTime } from 'luxon';
import { RRule } from 'rrule';
import { fromFloating, instantOf, MONTH_NAMES, toFloating, type WallTime, weekdayOf } from '../wall-clock.ts';
import type { RepeatPhrase } from './recurrence-phrase.ts';
import { MIN_DAYS_IN_MONTH, RRULE_DAYS } from './vocabulary.ts';

export interface RepeatRule {
  rule: string;
  /** The series' first occurrence on or after now, as local wall-clock time. */
  first: WallTime;
  notes: string[];
}

const ordinal = (n: number) =>
  `${n}${n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th'}`;

/**
 * The RRULE for a repeat, with the days the text left open taken from `anchor` ("every week" from a
 * Thursday repeats on Thursdays), and its first occurrence at or after `now`.
 *
 * A day of the month that some months lack (the 29th–31st) becomes "that day, or the last day of a
 * shorter month": `BYMONTHDAY=28,29,30,31;BYSETPOS=-1`. Plain RFC 5545 `BYMONTHDAY=31` would silently skip
 * seven months a year, which is never what "pay rent on the 31st" means.
 */
export function buildRepeatRule(
  phrase: RepeatPhrase,
  anchor: WallTime,
  now: WallTime,
  until: WallTime | undefined,
  zone: string,
): RepeatRule {
  if (phrase.freq === 'HOURLY') return hourlyRule(phrase, anchor, now, until, zone);
  const notes: string[] = [];
  const parts: string[] = [`FREQ=${phrase.freq}`];
  const interval = phrase.interval > 1 ? [`INTERVAL=${phrase.interval}`] : [];
  let byDay = phrase.byDay;
  let byMonthDay = phrase.byMonthDay;
  let byMonth = phrase.byMonth;
  const anchorDay = RRULE_DAYS[weekdayOf(anchor)]!;
  if (phrase.freq === 'WEEKLY' && !byDay) byDay = [anchorDay];
  if (phrase.freq === 'MONTHLY' && !byDay && byMonthDay === undefined) byMonthDay = anchor.day;
  if (phrase.freq === 'YEARLY' && byMonth === undefined) {
    byMonth = anchor.month;
    byMonthDay = anchor.day;
  }
  if (byMonth !== undefined) parts.push(`BYMONTH=${byMonth}`);
  let bySetPos = phrase.bySetPos;
  if (byMonthDay !== undefined) {
    const shortest = byMonth === undefined ? 28 : MIN_DAYS_IN_MONTH[byMonth - 1]!;
    if (byMonthDay > shortest) {
      const days = Array.from({ length: byMonthDay - shortest + 1 }, (_, i) => shortest + i);
      parts.push(`BYMONTHDAY=${days.join(',')}`);
      bySetPos = -1;
      notes.push(
        byMonth === undefined
          ? `In months without a ${ordinal(byMonthDay)}, it falls on the last day of the month.`
          : `In years without ${byMonthDay} ${MONTH_NAMES[byMonth - 1]}, it falls on the last day of ${MONTH_NAMES[byMonth - 1]}.`,
      );
    } else {
      parts.push(`BYMONTHDAY=${byMonthDay}`);
    }
  }
  if (byDay) parts.push(`BYDAY=${byDay.join(',')}`);
  if (bySetPos !== undefined) parts.push(`BYSETPOS=${bySetPos}`);
  const bounds = boundParts(phrase, until, zone);
  // The first occurrence becomes the series' DTSTART (the task's due date). When the text named the days
  // ("every 2 weeks on monday"), it is the first such day; when the days come from the anchor ("every
  // 6 months"), the series is counted from the anchor, so the first is one interval on if today's passed.
  const named = phrase.byDay !== undefined || phrase.byMonthDay !== undefined || phrase.byMonth !== undefined;
  const finderRule = named ? parts : [parts[0], ...interval, ...parts.slice(1)];
  const finder = new RRule({ ...RRule.parseString(finderRule.join(';')), dtstart: toFloating(anchor) });
  const next = finder.after(toFloating(now), true) ?? toFloating(anchor);
  return {
    rule: [parts[0], ...interval, ...parts.slice(1), ...bounds].join(';'),
    first: fromFloating(next),
    notes,
  };
}

/** COUNT, or UNTIL as the end (23:59:59) of that local day written in UTC (RFC 5545 with a zoned start). */
function boundParts(phrase: RepeatPhrase, until: WallTime | undefined, zone: string): string[] {
  const bounds: string[] = [];
  if (phrase.count) bounds.push(`COUNT=${phrase.count}`);
  if (until) {
    const end = DateTime.fromJSDate(instantOf({ ...until, hour: 23, minute: 59, second: 0 }, zone), {
      zone: 'utc',
    }).plus({ seconds: 59 });
    bounds.push(`UNTIL=${end.toFormat("yyyyMMdd'T'HHmmss'Z'")}`);
  }
  return bounds;
}

const clock = (hour: number, minute: number) =>
  `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;

/**
 * "every 2 hours", "hourly", "every 3 hours from 8am to 8pm". The anchor (the range's start, or the
 * time the text gave, or the current hour) is DTSTART, so INTERVAL counts from it; the first occurrence
 * is the first at or after now. A range is BYHOUR over all its hours: with an INTERVAL that divides 24
 * the rule reaches the same hours every day (8, 11, 14, 17, 20), and a completion-mode restart at
 * another hour still finds hours in the range. An INTERVAL that does not divide 24 would drift day by
 * day (every 5 hours from 8: 08, 13, 18, then 09, 14, 19 …), which nobody means by "from 8am to 8pm": it
 * becomes the daily rule with those hours (BYHOUR=8,13,18), and a note says so.
 */
function hourlyRule(
  phrase: RepeatPhrase,
  anchor: WallTime,
  now: WallTime,
  until: WallTime | undefined,
  zone: string,
): RepeatRule {
  const notes: string[] = [];
  const interval = phrase.interval;
  const range = phrase.hours?.byHour;
  const byHour = (hours: number[]) => `BYHOUR=${[...hours].sort((a, b) => a - b).join(',')}`;
  const byDay = phrase.byDay ? [`BYDAY=${phrase.byDay.join(',')}`] : [];
  let body: string[];
  if (range && 24 % interval !== 0) {
    const hours = range.filter((_, i) => i % interval === 0);
    body = ['FREQ=DAILY', byHour(hours), ...byDay];
    const { minute } = phrase.hours!.start;
    const times = hours.map((h) => clock(h, minute));
    const listed = times.length > 1 ? `${times.slice(0, -1).join(', ')} and ${times.at(-1)}` : times[0];
    notes.push(
      `Every ${interval} hours from ${clock(range[0]!, minute)} to ${clock(range.at(-1)!, minute)} is ${listed} ${byDay.length ? 'on those days' : 'each day'}.`,
    );
  } else {
    const every = interval > 1 ? [`INTERVAL=${interval}`] : [];
    body = ['FREQ=HOURLY', ...every, ...(range ? [byHour(range)] : []), ...byDay];
  }
  const finder = new RRule({ ...RRule.parseString(body.join(';')), dtstart: toFloating(anchor) });
  const next = finder.after(toFloating(now), true) ?? toFloating(anchor);
  return { rule: [...body, ...boundParts(phrase, until, zone)].join(';'), first: fromFloating(next), notes };
}
