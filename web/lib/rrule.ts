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

/** The RRULE for a draft, or null for "does not repeat". `untilUtc` turns the until date into UTC. */
export function draftToRule(d: RecurrenceDraft, untilUtc: (date: string) => string): string | null {
  let rule: string;
  switch (d.kind) {
    case 'none':
      return null;
    case 'raw':
      return d.raw.trim().replace(/^RRULE:/i, '');
    case 'daily':
      rule = `FREQ=DAILY${intervalPart(d.interval)}`;
      break;
    case 'weekdays':
      rule = 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR';
      break;
    case 'weekly': {
      const days = WEEKDAYS.filter((w) => d.weekdays.includes(w));
      rule = `FREQ=WEEKLY${intervalPart(d.interval)}${days.length ? `;BYDAY=${days.join(',')}` : ''}`;
      break;
    }
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
  const known = new Set(['FREQ', 'INTERVAL', 'BYDAY', 'BYMONTHDAY', 'COUNT', 'UNTIL']);
  if ([...p.keys()].some((k) => !known.has(k))) return raw;
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
