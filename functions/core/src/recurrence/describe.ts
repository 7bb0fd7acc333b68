import { RRule, type Weekday } from 'rrule';
import { MONTH_NAMES, toFloating, type WallTime, wallTimeOf, weekdayOf } from '../wall-clock.ts';
import { reachableHours } from './expand.ts';
import { type ParsedRule, parseRule, type Until } from './rule.ts';

/**
 * Human text for a rule ("every weekday at 08:45"). rrule's own `toText` ignores BYSETPOS ("the last
 * weekday of the month" reads "every month on weekdays"), says "on the last" for BYMONTHDAY=-1 and never
 * gives the time of day, so we write the common shapes ourselves and fall back to `toText` only for
 * parts we do not describe (BYYEARDAY, BYWEEKNO, BYSECOND, more than six times a day).
 */

const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const UNIT = {
  [RRule.HOURLY]: 'hour',
  [RRule.DAILY]: 'day',
  [RRule.WEEKLY]: 'week',
  [RRule.MONTHLY]: 'month',
  [RRule.YEARLY]: 'year',
};

const arr = <T>(v: T | T[] | null | undefined): T[] =>
  v === null || v === undefined ? [] : Array.isArray(v) ? v : [v];
const pad = (n: number) => String(n).padStart(2, '0');

function numbered(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th');
  return `${n}${s}`;
}

function ordinal(n: number): string {
  if (n === -1) return 'last';
  if (n < -1) return `${ordinal(-n)}-to-last`;
  return ['', 'first', 'second', 'third', 'fourth', 'fifth'][n] ?? numbered(n);
}

function list(items: string[], joiner = 'and'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${joiner} ${items[items.length - 1]}`;
}

function monthDay(n: number): string {
  if (n === -1) return 'the last day';
  if (n < 0) return `the ${ordinal(-n)}-to-last day`;
  return `the ${numbered(n)}`;
}

interface DaySpec {
  weekday: number;
  n: number | undefined;
}

function weekdays(rule: ParsedRule): DaySpec[] {
  return arr(rule.pattern.byweekday).map((d) =>
    typeof d === 'number'
      ? { weekday: d, n: undefined }
      : { weekday: (d as Weekday).weekday, n: (d as Weekday).n },
  );
}

/** "weekday", "weekend day", "day" or "Monday or Friday" for a plain set of weekdays. */
function daySetName(days: number[], joiner: string): string {
  const set = [...new Set(days)].sort();
  if (set.length === 7) return 'day';
  if (set.join() === '0,1,2,3,4') return 'weekday';
  if (set.join() === '5,6') return 'weekend day';
  return list(
    set.map((d) => DAY_NAMES[d]!),
    joiner,
  );
}

function plainDaysPhrase(days: number[]): string {
  const set = [...new Set(days)].sort();
  if (set.join() === '0,1,2,3,4') return 'on weekdays';
  if (set.join() === '5,6') return 'on weekends';
  return `on ${list(set.map((d) => DAY_NAMES[d]!))}`;
}

/** The "on …" part for monthly and yearly rules; null when the rule relies on DTSTART's day. */
function onPhrase(rule: ParsedRule, anchor: WallTime): string {
  const days = weekdays(rule);
  const setpos = arr(rule.pattern.bysetpos);
  const monthDays = arr(rule.pattern.bymonthday);
  if (days.length && setpos.length) {
    const name = daySetName(
      days.map((d) => d.weekday),
      'or',
    );
    return `on the ${list(setpos.map(ordinal))} ${name}`;
  }
  if (days.some((d) => d.n !== undefined && d.n !== 0)) {
    return `on the ${list(days.map((d) => (d.n ? `${ordinal(d.n)} ${DAY_NAMES[d.weekday]}` : `every ${DAY_NAMES[d.weekday]}`)))}`;
  }
  if (days.length && !monthDays.length) return plainDaysPhrase(days.map((d) => d.weekday));
  const dayPart = monthDays.length ? `on ${list(monthDays.map(monthDay))}` : `on the ${numbered(anchor.day)}`;
  const only = days.length
    ? ` if it is a ${daySetName(
        days.map((d) => d.weekday),
        'or',
      )}`
    : '';
  return `${dayPart}${only}`;
}

const sorted = (v: number[]) => [...new Set(v)].sort((a, b) => a - b);
const clock = (hour: number, minute: number) => `${pad(hour)}:${pad(minute)}`;

/** "at 08:45", "at 08:00 and 20:00"; null for more than six times a day. */
function timePhrase(rule: ParsedRule, anchor: WallTime): string | null {
  const hours = sorted(arr(rule.pattern.byhour));
  const minutes = sorted(arr(rule.pattern.byminute));
  const times = (hours.length ? hours : [anchor.hour]).flatMap((h) =>
    (minutes.length ? minutes : [anchor.minute]).map((m) => clock(h, m)),
  );
  return times.length > 6 ? null : `at ${list(times)}`;
}

/** True when `hours` step by `step` from the first to the last (8, 11, 14, 17, 20 by 3). */
const isRun = (hours: number[], step: number) =>
  hours.length >= 2 && hours.every((h, i) => i === 0 || h - hours[i - 1]! === step);

/** The day part of an hourly rule: "on weekdays", "on the 1st and the 15th", "in March". */
function hourlyDays(rule: ParsedRule): string[] {
  const days = weekdays(rule);
  const monthDays = arr(rule.pattern.bymonthday);
  const months = arr(rule.pattern.bymonth);
  return [
    days.length ? plainDaysPhrase(days.map((d) => d.weekday)) : '',
    monthDays.length ? `on ${list(monthDays.map(monthDay))}` : '',
    months.length ? `in ${list(months.map((m) => MONTH_NAMES[m - 1]!))}` : '',
  ].filter(Boolean);
}

/**
 * "every 2 hours", "every hour at :15 and :45", "every hour from 08:00 to 20:00", "every 3 hours from
 * 09:00 to 18:00 on weekdays". When INTERVAL divides 24 the hours it reaches are the same every day, so
 * they are named exactly (from DTSTART's phase); a selection that is not an even run of them reads as
 * the daily rule it equals ("every day at 08:00 and 20:00", "at 09:00 and 21:00 on the 1st"). Null for
 * what this does not describe (BYSETPOS, an ordinal BYDAY, an hour the rule never reaches, more than
 * six times a day).
 */
function hourlyPhrase(rule: ParsedRule, anchor: Anchor): string | null {
  const { pattern } = rule;
  if (arr(pattern.bysetpos).length || weekdays(rule).some((d) => d.n)) return null;
  const interval = pattern.interval ?? 1;
  const every = interval === 1 ? 'every hour' : `every ${interval} hours`;
  const minutes = sorted(arr(pattern.byminute).length ? arr(pattern.byminute) : [anchor.minute]);
  const atMinutes = minutes.join() === '0' ? '' : `at ${list(minutes.map((m) => `:${pad(m)}`))}`;
  const days = hourlyDays(rule);
  if (!arr(pattern.byhour).length) return [every, atMinutes, ...days].filter(Boolean).join(' ');
  const even = 24 % interval === 0;
  const hours = even ? reachableHours(pattern, toFloating(anchor)) : sorted(arr(pattern.byhour));
  if (!hours.length) return null;
  if (isRun(hours, even ? interval : 1)) {
    const range = `from ${clock(hours[0]!, minutes[0]!)} to ${clock(hours.at(-1)!, minutes.at(-1)!)}`;
    return [every, minutes.length > 1 ? `${atMinutes},` : '', range, ...days].filter(Boolean).join(' ');
  }
  // Not an even run: the times themselves (with INTERVAL dividing 24, exactly the daily rule's times).
  const times = hours.flatMap((h) => minutes.map((m) => clock(h, m)));
  if (times.length > 6) return null;
  const lead = even ? (days.length ? '' : 'every day') : every;
  return [lead, `at ${list(times)}`, ...days].filter(Boolean).join(' ');
}

function untilPhrase(until: Until, timeZone: string): string {
  const wall = until.kind === 'instant' ? wallTimeOf(until.at, timeZone) : until.wall;
  const date = `${MONTH_NAMES[wall.month - 1]} ${wall.day}, ${wall.year}`;
  return until.kind === 'date' ? `until ${date}` : `until ${date} ${pad(wall.hour)}:${pad(wall.minute)}`;
}

function frequencyPhrase(rule: ParsedRule, anchor: Anchor): string {
  const freq = rule.pattern.freq ?? RRule.DAILY;
  const interval = rule.pattern.interval ?? 1;
  const unit = UNIT[freq as keyof typeof UNIT];
  const every = interval === 1 ? `every ${unit}` : `every ${interval} ${unit}s`;
  const days = weekdays(rule);
  const months = arr(rule.pattern.bymonth);
  const inMonths = months.length ? `in ${list(months.map((m) => MONTH_NAMES[m - 1]!))}` : null;
  if (freq === RRule.DAILY || freq === RRule.WEEKLY) {
    const plain = days.map((d) => d.weekday);
    const name = days.length ? daySetName(plain, 'and') : null;
    if (interval === 1 && (name === 'weekday' || name === 'day'))
      return [`every ${name}`, inMonths].filter(Boolean).join(' ');
    const on = days.length
      ? plainDaysPhrase(plain)
      : freq === RRule.WEEKLY
        ? `on ${DAY_NAMES[anchor.weekday]}`
        : null;
    return [every, on, inMonths].filter(Boolean).join(' ');
  }
  if (freq === RRule.MONTHLY) return [every, onPhrase(rule, anchor), inMonths].filter(Boolean).join(' ');
  // Yearly: "every year on February 29", "every year in May on the last Monday".
  const monthDays = arr(rule.pattern.bymonthday);
  if (!days.length && monthDays.length <= 1) {
    const month = months.length === 1 ? months[0]! : months.length ? null : anchor.month;
    const day = monthDays[0] ?? anchor.day;
    if (month && day > 0) return `${every} on ${MONTH_NAMES[month - 1]} ${day}`;
  }
  return [every, inMonths ?? `in ${MONTH_NAMES[anchor.month - 1]}`, onPhrase(rule, anchor)].join(' ');
}

/** The anchor's wall time and weekday (0 = Monday, as rrule counts). */
interface Anchor extends WallTime {
  weekday: number;
}

function anchorOf(at: Date, timeZone: string): Anchor {
  const wall = wallTimeOf(at, timeZone);
  const weekday = (weekdayOf(wall) + 6) % 7;
  return { ...wall, weekday };
}

const DESCRIBED = new Set([
  'freq',
  'interval',
  'byweekday',
  'bymonthday',
  'bymonth',
  'bysetpos',
  'byhour',
  'byminute',
  'wkst',
]);

/**
 * Describes a rule in English as it behaves for a series starting at `anchorDueAt` in `timeZone`:
 * "every weekday at 08:45", "every month on the last day at 09:00, 12 times".
 */
export function describeRule(ruleText: string, anchorDueAt: Date, timeZone: string): string {
  const rule = parseRule(ruleText);
  const anchor = anchorOf(anchorDueAt, timeZone);
  const undescribed = Object.entries(rule.pattern).some(
    ([k, v]) => !DESCRIBED.has(k) && v !== null && v !== undefined && (!Array.isArray(v) || v.length > 0),
  );
  const hourly = rule.pattern.freq === RRule.HOURLY;
  const time = hourly ? null : timePhrase(rule, anchor);
  const own = undescribed
    ? null
    : hourly
      ? hourlyPhrase(rule, anchor)
      : time && `${frequencyPhrase(rule, anchor)} ${time}`;
  const main = own ?? new RRule(rule.pattern).toText();
  const end =
    rule.count !== null
      ? rule.count === 1
        ? 'once'
        : `${rule.count} times`
      : rule.until
        ? untilPhrase(rule.until, timeZone)
        : null;
  return end ? `${main}, ${end}` : main;
}
