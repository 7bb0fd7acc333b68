import { RRule } from 'rrule';
import type { RepeatPhrase } from './recurrence-phrase.ts';
import { MIN_DAYS_IN_MONTH, RRULE_DAYS } from './vocabulary.ts';
import { floating, fromFloating, instantOf, type WallClock } from './wall-clock.ts';

export interface RepeatRule {
  rule: string;
  /** The series' first occurrence on or after now, as local wall-clock time. */
  first: WallClock;
  notes: string[];
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
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
  anchor: WallClock,
  now: WallClock,
  until: WallClock | undefined,
  zone: string,
): RepeatRule {
  const notes: string[] = [];
  const parts: string[] = [`FREQ=${phrase.freq}`];
  const interval = phrase.interval > 1 ? [`INTERVAL=${phrase.interval}`] : [];
  let byDay = phrase.byDay;
  let byMonthDay = phrase.byMonthDay;
  let byMonth = phrase.byMonth;
  const anchorDay = RRULE_DAYS[floating(anchor).getUTCDay()]!;
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
          : `In years without ${byMonthDay} ${MONTHS[byMonth - 1]}, it falls on the last day of ${MONTHS[byMonth - 1]}.`,
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
    const end = instantOf({ ...until, hour: 23, minute: 59 }, zone)
      .plus({ seconds: 59 })
      .toUTC();
    bounds.push(`UNTIL=${end.toFormat("yyyyMMdd'T'HHmmss'Z'")}`);
  }
  // The first occurrence becomes the series' DTSTART (the task's due date). When the text named the days
  // ("every 2 weeks on monday"), it is the first such day; when the days come from the anchor ("every
  // 6 months"), the series is counted from the anchor, so the first is one interval on if today's passed.
  const named = phrase.byDay !== undefined || phrase.byMonthDay !== undefined || phrase.byMonth !== undefined;
  const finderRule = named ? parts : [parts[0], ...interval, ...parts.slice(1)];
  const finder = new RRule({ ...RRule.parseString(finderRule.join(';')), dtstart: floating(anchor) });
  const next = finder.after(floating(now), true) ?? floating(anchor);
  return {
    rule: [parts[0], ...interval, ...parts.slice(1), ...bounds].join(';'),
    first: fromFloating(next),
    notes,
  };
}
