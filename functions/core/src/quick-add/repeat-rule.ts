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
  const bounds: string[] = [];
  if (phrase.count) bounds.push(`COUNT=${phrase.count}`);
  if (until) {
    const end = DateTime.fromJSDate(instantOf({ ...until, hour: 23, minute: 59, second: 0 }, zone), {
      zone: 'utc',
    }).plus({ seconds: 59 });
    bounds.push(`UNTIL=${end.toFormat("yyyyMMdd'T'HHmmss'Z'")}`);
  }
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
