import type { TextView } from './text-view.ts';
import {
  CLOCK_TIME,
  COUNT_WORD,
  clockTimeOf,
  countOf,
  DAY_LIST,
  DAY_NAME,
  dayCode,
  dayList,
  MONTH_DAY,
  MONTH_NAME,
  monthOf,
  ORDINAL_DAY,
  ORDINAL_WORD,
  ordinalOf,
  type RRuleDay,
} from './vocabulary.ts';

export type Freq = 'HOURLY' | 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';

/** A repeat as the text said it; days the text left open are filled in from the start date later. */
export interface RepeatPhrase {
  freq: Freq;
  interval: number;
  byDay?: string[];
  byMonthDay?: number;
  byMonth?: number;
  bySetPos?: number;
  /** An hourly repeat's hours ("from 8am to 8pm": 8 … 20); `start` is the first, and the phase. */
  hours?: { start: { hour: number; minute: number }; byHour: number[] };
  count?: number;
  mode: 'schedule' | 'completion';
}

const WEEKDAYS: RRuleDay[] = ['MO', 'TU', 'WE', 'TH', 'FR'];
const WHAT_OF_MONTH = `(?:${DAY_NAME}|weekday|workday|business day|weekend day|day)`;

/** "first monday" / "last weekday" / "15th day" → the monthly fields. */
function nthOfMonth(ordinal: string, what: string): Partial<RepeatPhrase> {
  const n = ordinalOf(ordinal);
  if (/^(?:weekday|workday|business day)$/.test(what)) return { byDay: WEEKDAYS, bySetPos: n };
  if (what === 'weekend day') return { byDay: ['SA', 'SU'], bySetPos: n };
  if (what === 'day') return { byMonthDay: n };
  return { byDay: [`${n}${dayCode(what)}`] };
}

interface Form {
  re: RegExp;
  build(g: Record<string, string | undefined>): Partial<RepeatPhrase> & { freq: Freq };
}

const EVERY = '(?<every>every!|every|each)';
const N = `(?:(?<n>${COUNT_WORD})\\s+)?`;
const ON_DAYS = `(?:\\s+on\\s+(?<days>${DAY_LIST}))?`;
const ON_MONTHDAY = `(?:\\s+on\\s+(?:the\\s+)?(?:(?<ord>${ORDINAL_WORD}|${ORDINAL_DAY})\\s+(?<what>${WHAT_OF_MONTH})|(?<md>${MONTH_DAY})(?:\\s+day)?))?`;
const ON_DATE = `(?:\\s+on\\s+(?:the\\s+)?(?:(?<mon>${MONTH_NAME})\\s+(?<dom>${MONTH_DAY})|(?<dom2>${MONTH_DAY})(?:\\s+of)?\\s+(?<mon2>${MONTH_NAME})))?`;

/** "from 8am to 8pm", "between 9 and 5", "from 10pm to 2am" (overnight). */
const HOUR_RANGE = `(?:\\s+(?:from|between)\\s+(?<t1>${CLOCK_TIME})\\s*(?:to|till|until|and|-|–)\\s*(?<t2>${CLOCK_TIME}))?`;

/**
 * The hours of a range, first to last, wrapping past midnight; the last hour is in when its time is not
 * before the first's minute ("from 8:30 to 20:00" ends at 19:30). A bare end hour that would come before
 * the start reads as pm: "from 8 to 8" is 08:00–20:00.
 */
function hourRange(t1: string, t2: string): RepeatPhrase['hours'] {
  const start = clockTimeOf(t1);
  const end = clockTimeOf(t2);
  if (!end.certain && end.hour <= start.hour && end.hour < 12) end.hour += 12;
  const endMinutes = end.hour * 60 + end.minute;
  let last = end.minute >= start.minute ? end.hour : end.hour - 1;
  if (endMinutes < start.hour * 60 + start.minute) last += 24;
  const byHour = [];
  for (let h = start.hour; h <= Math.max(start.hour, last); h++) byHour.push(h % 24);
  return { start: { hour: start.hour, minute: start.minute }, byHour };
}

/** "on weekdays", "on weekends", "on mon, wed and fri" after an hourly repeat. */
const HOURLY_DAYS = `(?:\\s+on\\s+(?:(?<wd>weekdays|workdays|weekends)|(?<days>${DAY_LIST})))?`;

const hourly = (g: Record<string, string | undefined>) => ({
  freq: 'HOURLY' as const,
  ...(g.t1 && g.t2 ? { hours: hourRange(g.t1, g.t2) } : {}),
  ...(g.wd ? { byDay: g.wd === 'weekends' ? ['SA', 'SU'] : WEEKDAYS } : {}),
  ...(g.days ? { byDay: dayList(g.days) } : {}),
});

const weekly = (g: Record<string, string | undefined>) => ({
  freq: 'WEEKLY' as const,
  ...(g.days ? { byDay: dayList(g.days) } : {}),
});
const monthly = (g: Record<string, string | undefined>) => ({
  freq: 'MONTHLY' as const,
  ...(g.ord && g.what ? nthOfMonth(g.ord, g.what) : {}),
  ...(g.md ? { byMonthDay: Number.parseInt(g.md, 10) } : {}),
});
const yearly = (g: Record<string, string | undefined>) => {
  const mon = g.mon ?? g.mon2;
  const dom = g.dom ?? g.dom2;
  return {
    freq: 'YEARLY' as const,
    ...(mon && dom ? { byMonth: monthOf(mon), byMonthDay: Number.parseInt(dom, 10) } : {}),
  };
};

/** Tried in order at each position; the first that matches wins. */
const FORMS: Form[] = [
  {
    // "the last day of every month", "first monday of each month", "15th of every 2 months"
    re: new RegExp(
      `(?:on\\s+)?(?:the\\s+)?(?<ord>${ORDINAL_WORD}|${ORDINAL_DAY})(?:\\s+(?<what>${WHAT_OF_MONTH}))?\\s+of\\s+${EVERY}\\s+${N}months?`,
      'y',
    ),
    build: (g) => ({ freq: 'MONTHLY', ...nthOfMonth(g.ord!, g.what ?? 'day') }),
  },
  {
    re: new RegExp(`${EVERY}\\s+(?:weekday|workday|business day)s?`, 'y'),
    build: () => ({ freq: 'WEEKLY', byDay: WEEKDAYS }),
  },
  {
    re: new RegExp(`(?:${EVERY}\\s+|on\\s+)?(?<wd>weekdays|workdays|weekends)\\b`, 'y'),
    build: (g) => ({ freq: 'WEEKLY', byDay: g.wd === 'weekends' ? ['SA', 'SU'] : WEEKDAYS }),
  },
  {
    re: new RegExp(`${EVERY}\\s+weekend(?:\\s+day)?s?`, 'y'),
    build: () => ({ freq: 'WEEKLY', byDay: ['SA', 'SU'] }),
  },
  {
    re: new RegExp(`${EVERY}\\s+${N}(?<days>${DAY_LIST})\\b`, 'y'),
    build: weekly,
  },
  {
    // "every first monday", "every last weekday of the month"
    re: new RegExp(
      `${EVERY}\\s+(?:(?<ord>${ORDINAL_WORD}|${ORDINAL_DAY})\\s+(?<what>${WHAT_OF_MONTH})|(?<ord2>${ORDINAL_DAY})(?!\\s+(?:weeks?|months?|years?|days?)\\b))(?:\\s+of\\s+(?:the|each|every)\\s+month)?`,
      'y',
    ),
    build: (g) => ({ freq: 'MONTHLY', ...nthOfMonth(g.ord ?? g.ord2!, g.what ?? 'day') }),
  },
  {
    re: new RegExp(
      `${EVERY}\\s+(?:(?<mon>${MONTH_NAME})\\s+(?<dom>${MONTH_DAY})|(?<dom2>${MONTH_DAY})(?:\\s+of)?\\s+(?<mon2>${MONTH_NAME}))\\b`,
      'y',
    ),
    build: yearly,
  },
  { re: new RegExp(`${EVERY}\\s+${N}(?:hours?|hrs?)${HOUR_RANGE}${HOURLY_DAYS}`, 'y'), build: hourly },
  { re: new RegExp(`(?<adv>hourly)${HOUR_RANGE}${HOURLY_DAYS}`, 'y'), build: hourly },
  { re: new RegExp(`${EVERY}\\s+${N}days?`, 'y'), build: () => ({ freq: 'DAILY' }) },
  { re: new RegExp(`${EVERY}\\s+${N}weeks?${ON_DAYS}`, 'y'), build: weekly },
  { re: new RegExp(`${EVERY}\\s+${N}months?${ON_MONTHDAY}`, 'y'), build: monthly },
  {
    re: new RegExp(`${EVERY}\\s+${N}quarters?${ON_MONTHDAY}`, 'y'),
    build: (g) => ({ ...monthly(g), interval: 3 * countOf(g.n) }),
  },
  { re: new RegExp(`${EVERY}\\s+${N}years?${ON_DATE}`, 'y'), build: yearly },
  { re: /(?<adv>daily)/y, build: () => ({ freq: 'DAILY' }) },
  { re: new RegExp(`(?<adv>weekly)${ON_DAYS}`, 'y'), build: weekly },
  {
    // "biweekly" is ambiguous (twice a week / every two weeks); we read it as every two weeks.
    re: new RegExp(`(?<adv>fortnightly|biweekly|bi-weekly)${ON_DAYS}`, 'y'),
    build: (g) => ({ ...weekly(g), interval: 2 }),
  },
  { re: new RegExp(`(?<adv>monthly)${ON_MONTHDAY}`, 'y'), build: monthly },
  {
    re: new RegExp(`(?<adv>bimonthly|bi-monthly)${ON_MONTHDAY}`, 'y'),
    build: (g) => ({ ...monthly(g), interval: 2 }),
  },
  {
    re: new RegExp(`(?<adv>quarterly)${ON_MONTHDAY}`, 'y'),
    build: (g) => ({ ...monthly(g), interval: 3 }),
  },
  { re: new RegExp(`(?<adv>yearly|annually)${ON_DATE}`, 'y'), build: yearly },
];

/** Repeats more often than hourly (the API's shortest, see recurrence/rule.ts). */
const UNSUPPORTED = new RegExp(
  `(^|\\s)${EVERY}\\s+(?:${N}(?:minutes?|mins?|seconds?|secs?)|half\\s+(?:an\\s+)?hour|\\d+\\.\\d+\\s+hours?)(?=\\s|$|[,.;])`,
  'g',
);
const COMPLETION =
  /(^|\s)(?:(?:counting\s+)?(?:after|from)\s+(?:completion|completing(?:\s+it)?|(?:it'?s\s+|it\s+is\s+|i'?m\s+|i\s+finish(?:\s+it)?)?(?:done|complete|completed|finished))|when\s+(?:done|completed))(?=\s|$|[,.;])/g;
const COUNT = new RegExp(
  `(^|\\s)(?:for\\s+)?(?<c>${COUNT_WORD})\\s+(?:times|occurrences)(?=\\s|$|[,.;])`,
  'g',
);
/** "until …" and "starting …" run to the next keyword; they count only if what follows reads as a date. */
const BOUND_END = '(?=\\s+(?:at|@|remind|until|starting|from|beginning|for|after|every)\\b|\\s+[#!]|$|[,;])';
const UNTIL = new RegExp(`(^|\\s)(?:until|till|through|ending(?:\\s+on)?)\\s+(?<until>.+?)${BOUND_END}`, 'g');
const START = new RegExp(
  `(^|\\s)(?:starting(?:\\s+(?:on|from))?|from|beginning(?:\\s+on)?)\\s+(?<start>.+?)${BOUND_END}`,
  'g',
);

/** Reads a date phrase ("march 31", "next monday") for a repeat's bounds; undefined if it is not one. */
export type DateReader<D> = (text: string) => D | undefined;

/** The bounds and mode of a repeat, wherever they sit in the text ("every day at 9 until friday"). */
function extractTails<D>(view: TextView, phrase: RepeatPhrase, readDate: DateReader<D>) {
  const bounds: { start?: D; until?: D } = {};
  for (const m of view.text.matchAll(COMPLETION)) {
    phrase.mode = 'completion';
    view.consume(m.index + m[1]!.length, m.index + m[0].length, 'when');
  }
  for (const m of view.text.matchAll(COUNT)) {
    phrase.count = countOf(m.groups!.c);
    view.consume(m.index + m[1]!.length, m.index + m[0].length, 'when');
  }
  for (const [re, key] of [
    [UNTIL, 'until'],
    [START, 'start'],
  ] as const) {
    for (const m of view.text.matchAll(re)) {
      const date = readDate(m.groups![key]!);
      if (date === undefined || bounds[key] !== undefined) continue;
      bounds[key] = date;
      view.consume(m.index + m[1]!.length, m.index + m[0].length, 'when');
    }
  }
  return bounds;
}

/** Finds one repeat in the text ("every 2 weeks on monday and thursday", "monthly on the last day") and consumes it. */
export function extractRepeat<D>(
  view: TextView,
  readDate: DateReader<D>,
): { repeat?: RepeatPhrase; start?: D; until?: D; notes: string[] } {
  const text = view.text;
  const notes: string[] = [];
  for (const m of text.matchAll(UNSUPPORTED)) {
    view.consume(m.index + m[1]!.length, m.index + m[0].length, 'when');
    notes.push('Repeats more often than hourly are not supported; no repeat was set.');
  }
  // The longest repeat wins, so "Daily standup every day at 9" repeats "every day" and keeps "Daily".
  let best: { at: number; m: RegExpExecArray; form: Form } | undefined;
  for (const s of text.matchAll(/(^|\s)(?=\S)/g)) {
    const at = s.index + s[1]!.length;
    for (const form of FORMS) {
      form.re.lastIndex = at;
      const m = form.re.exec(text);
      const next = m ? text.charAt(m.index + m[0].length) : '';
      if (!m || !/^(?:$|[\s,.;:!])/.test(next)) continue;
      if (!best || m[0].length > best.m[0].length) best = { at, m, form };
      break;
    }
  }
  if (best) {
    const g = best.m.groups ?? {};
    const built = best.form.build(g);
    const phrase: RepeatPhrase = {
      interval: built.interval ?? (g.every || g.n ? countOf(g.n) : 1),
      mode: g.every === 'every!' ? 'completion' : 'schedule',
      ...built,
    };
    view.consume(best.at, best.at + best.m[0].length, 'when');
    return { repeat: phrase, ...extractTails(view, phrase, readDate), notes };
  }
  return { notes };
}
