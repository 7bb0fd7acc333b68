/**
 * The recurrence builder's model and its RRULE text, both ways: the form edits a `RecurrenceDraft`,
 * the API stores `FREQ=...` (DTSTART is the task's due date). Rules the builder cannot show stay "raw".
 */

export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const WEEKDAY_NAMES: Record<Weekday, string> = {
  MO: 'Mon',
  TU: 'Tue',
  WE: 'Wed',
  TH: 'Thu',
  FR: 'Fri',
  SA: 'Sat',
  SU: 'Sun',
};

export type RepeatKind =
  | 'none'
  | 'hourly'
  | 'daily'
  | 'weekdays'
  | 'weekly'
  | 'monthly_day'
  | 'monthly_nth'
  | 'monthly_last'
  | 'yearly'
  | 'raw';

export interface RecurrenceDraft {
  kind: RepeatKind;
  interval: number;
  /** Hourly only: the first and last hour of the day it may fall in (inclusive), or null for all day. */
  hours: { from: number; to: number } | null;
  /** Hourly only: the days it runs on; none means every day. */
  hourlyDays: Weekday[];
  weekdays: Weekday[];
  monthDay: number;
  /** 1..4 or -1 (last). */
  nth: number;
  nthWeekday: Weekday;
  end: 'never' | 'count' | 'until';
  count: number;
  /** `YYYY-MM-DD`, the last day an occurrence may fall on. */
  until: string;
  raw: string;
  mode: 'schedule' | 'completion';
}

export const emptyDraft = (): RecurrenceDraft => ({
  kind: 'none',
  interval: 1,
  hours: null,
  hourlyDays: [],
  weekdays: ['MO'],
  monthDay: 1,
  nth: 1,
  nthWeekday: 'MO',
  end: 'never',
  count: 10,
  until: '',
  raw: 'FREQ=DAILY',
  mode: 'schedule',
});

const intervalPart = (n: number) => (n > 1 ? `;INTERVAL=${Math.floor(n)}` : '');
const byDayPart = (days: Weekday[]) => {
  const sorted = WEEKDAYS.filter((w) => days.includes(w));
  return sorted.length ? `;BYDAY=${sorted.join(',')}` : '';
};

/** Every hour from `from` to `to`, both included (an hour of the day, 0–23). */
export function hourRange(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

/** `9,10,11` → 9 to 11; null when the hours are not one run of consecutive hours of a day. */
function contiguousHours(byHour: string): { from: number; to: number } | null {
  const hours = byHour.split(',').map((h) => (/^\d{1,2}$/.test(h) ? Number(h) : Number.NaN));
  if (hours.some((h) => !(h >= 0 && h <= 23))) return null;
  const sorted = [...new Set(hours)].sort((a, b) => a - b);
  const from = sorted[0];
  const to = sorted.at(-1);
  if (from === undefined || to === undefined || sorted.length !== hours.length) return null;
  return sorted.length === to - from + 1 ? { from, to } : null;
}

/** The RRULE for a draft, or null for "does not repeat". `untilUtc` turns the until date into UTC. */
export function draftToRule(d: RecurrenceDraft, untilUtc: (date: string) => string): string | null {
  let rule: string;
  switch (d.kind) {
    case 'none':
      return null;
    case 'raw':
      return d.raw.trim().replace(/^RRULE:/i, '');
    case 'hourly': {
      const hours = d.hours ? `;BYHOUR=${hourRange(d.hours.from, d.hours.to).join(',')}` : '';
      rule = `FREQ=HOURLY${intervalPart(d.interval)}${hours}${byDayPart(d.hourlyDays)}`;
      break;
    }
    case 'daily':
      rule = `FREQ=DAILY${intervalPart(d.interval)}`;
      break;
    case 'weekdays':
      rule = 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR';
      break;
    case 'weekly':
      rule = `FREQ=WEEKLY${intervalPart(d.interval)}${byDayPart(d.weekdays)}`;
      break;
    case 'monthly_day':
      rule = `FREQ=MONTHLY${intervalPart(d.interval)};BYMONTHDAY=${d.monthDay}`;
      break;
    case 'monthly_nth':
      rule = `FREQ=MONTHLY${intervalPart(d.interval)};BYDAY=${d.nth > 0 ? `+${d.nth}` : d.nth}${d.nthWeekday}`;
      break;
    case 'monthly_last':
      rule = `FREQ=MONTHLY${intervalPart(d.interval)};BYMONTHDAY=-1`;
      break;
    case 'yearly':
      rule = `FREQ=YEARLY${intervalPart(d.interval)}`;
      break;
  }
  if (d.end === 'count') rule += `;COUNT=${Math.max(1, Math.floor(d.count))}`;
  if (d.end === 'until' && d.until) rule += `;UNTIL=${untilUtc(d.until)}`;
  return rule;
}

function parseParts(rule: string): Map<string, string> {
  const parts = new Map<string, string>();
  for (const piece of rule.replace(/^RRULE:/i, '').split(';')) {
    const [k, v] = piece.split('=');
    if (k && v !== undefined) parts.set(k.trim().toUpperCase(), v.trim().toUpperCase());
  }
  return parts;
}

const isWeekday = (s: string): s is Weekday => (WEEKDAYS as readonly string[]).includes(s);

/** The draft that shows `rule` in the builder; anything unusual opens as a raw RRULE. */
export function ruleToDraft(
  rule: string | null,
  mode: 'schedule' | 'completion',
  untilDate: (utc: string) => string,
): RecurrenceDraft {
  const d = { ...emptyDraft(), mode };
  if (!rule) return d;
  const raw = { ...d, kind: 'raw' as const, raw: rule };
  const p = parseParts(rule);
  const known = new Set(['FREQ', 'INTERVAL', 'BYDAY', 'BYMONTHDAY', 'BYHOUR', 'COUNT', 'UNTIL']);
  if ([...p.keys()].some((k) => !known.has(k))) return raw;
  // The builder offers hours of the day on hourly rules only.
  if (p.has('BYHOUR') && p.get('FREQ') !== 'HOURLY') return raw;
  d.interval = Number(p.get('INTERVAL') ?? 1) || 1;
  if (p.has('COUNT')) {
    d.end = 'count';
    d.count = Number(p.get('COUNT'));
  } else if (p.has('UNTIL')) {
    d.end = 'until';
    d.until = untilDate(p.get('UNTIL')!);
  }
  const byDay = p.get('BYDAY');
  const byMonthDay = p.get('BYMONTHDAY');
  switch (p.get('FREQ')) {
    case 'HOURLY': {
      if (byMonthDay) return raw;
      const days = (byDay ?? '').split(',').filter(Boolean);
      if (!days.every(isWeekday)) return raw;
      const byHour = p.get('BYHOUR');
      const hours = byHour === undefined ? null : contiguousHours(byHour);
      if (byHour !== undefined && !hours) return raw;
      return { ...d, kind: 'hourly', hours, hourlyDays: days as Weekday[] };
    }
    case 'DAILY':
      if (byDay || byMonthDay) return raw;
      return { ...d, kind: 'daily' };
    case 'WEEKLY': {
      if (byMonthDay) return raw;
      const days = (byDay ?? '').split(',').filter(Boolean);
      if (!days.every(isWeekday)) return raw;
      if (days.join(',') === 'MO,TU,WE,TH,FR' && d.interval === 1) return { ...d, kind: 'weekdays' };
      return { ...d, kind: 'weekly', weekdays: days.length ? (days as Weekday[]) : ['MO'] };
    }
    case 'MONTHLY': {
      if (byDay && byMonthDay) return raw;
      if (byMonthDay === '-1') return { ...d, kind: 'monthly_last' };
      if (byMonthDay && /^\d+$/.test(byMonthDay))
        return { ...d, kind: 'monthly_day', monthDay: Number(byMonthDay) };
      const m = byDay?.match(/^([+-]?\d)(MO|TU|WE|TH|FR|SA|SU)$/);
      if (m?.[1] && m[2] && isWeekday(m[2])) {
        const nth = Number(m[1]);
        if ((nth >= 1 && nth <= 4) || nth === -1) return { ...d, kind: 'monthly_nth', nth, nthWeekday: m[2] };
      }
      return raw;
    }
    case 'YEARLY':
      if (byDay || byMonthDay) return raw;
      return { ...d, kind: 'yearly' };
    default:
      return raw;
  }
}
