import type { TextView } from './text-view.ts';
import { COUNT_WORD, countOf } from './vocabulary.ts';

export type Priority = 'low' | 'medium' | 'high';

/** `#bills`, `#home/garden`, `#côté`: letters, digits, `_ - /`; a trailing full stop is punctuation. */
export function extractTags(view: TextView): string[] {
  const tags: string[] = [];
  for (const m of view.text.matchAll(/(^|\s)#([\p{L}\p{N}_][\p{L}\p{N}_\-/.]*)/gu)) {
    const name = m[2]!.replace(/[.]+$/, '');
    const start = m.index + m[1]!.length;
    view.consume(start, start + 1 + name.length);
    const original = view.original.slice(start + 1, start + 1 + name.length);
    if (!tags.some((t) => t.toLowerCase() === original.toLowerCase())) tags.push(original);
  }
  return tags;
}

const PRIORITY_WORDS: Record<string, Priority> = {
  high: 'high',
  h: 'high',
  urgent: 'high',
  '1': 'high',
  medium: 'medium',
  med: 'medium',
  m: 'medium',
  normal: 'medium',
  '2': 'medium',
  low: 'low',
  l: 'low',
  '3': 'low',
};

/**
 * `!high` `!med` `!low` `!urgent` `!1..!3`, `p1..p3` (p1 is the most urgent, as in Todoist), "high priority",
 * "priority: low". Bare words are too common in titles ("Turn the oven to low"), so a bare trailing
 * high/medium/low/urgent counts only right after something else the parser understood (trailingPriority).
 */
export function explicitPriority(view: TextView): Priority | undefined {
  let found: Priority | undefined;
  const patterns = [
    /(^|\s)!(high|h|urgent|medium|med|m|normal|low|l|[123])(?=\s|$|[,.;])/g,
    /(^|\s)p([123])(?=\s|$|[,.;])/g,
    /(^|\s)(?:with\s+)?(high|medium|normal|low)[- ]priority(?=\s|$|[,.;])/g,
    /(^|\s)(?:with\s+)?priority[:\s]+(high|medium|normal|low|[123])(?=\s|$|[,.;])/g,
  ];
  for (const pattern of patterns) {
    for (const m of view.text.matchAll(pattern)) {
      found = PRIORITY_WORDS[m[2]!];
      view.consume(m.index + m[1]!.length, m.index + m[0].length);
    }
  }
  return found;
}

/** Run last, once everything else is consumed, so "… at 9am high" sees the time before "high". */
export function trailingPriority(view: TextView): Priority | undefined {
  const trailing = /(^|\s)(high|medium|low|urgent)\s*$/.exec(view.text);
  if (trailing && view.followsConsumed(trailing.index + trailing[1]!.length)) {
    view.consume(trailing.index, trailing.index + trailing[0].length);
    return PRIORITY_WORDS[trailing[2]!];
  }
  return undefined;
}

const UNIT_MINUTES: [RegExp, number][] = [
  [/^(?:m|mins?|minutes?)$/, 1],
  [/^(?:h|hrs?|hours?)$/, 60],
  [/^(?:d|days?)$/, 24 * 60],
  [/^(?:w|wks?|weeks?)$/, 7 * 24 * 60],
];
const UNIT = '(?:minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|wks?|w)';
const DURATION = `(?:half an hour|(?:${COUNT_WORD})\\s*${UNIT}(?:\\s*(?:\\d{1,3})\\s*${UNIT})?)`;
const DURATIONS = `${DURATION}(?:\\s*(?:,\\s*and|,|and|&)\\s*${DURATION})*`;

function durationMinutes(text: string): number {
  if (/half an hour/.test(text)) return 30;
  let total = 0;
  for (const m of text.matchAll(new RegExp(`(${COUNT_WORD})\\s*(${UNIT})`, 'g'))) {
    const unit = UNIT_MINUTES.find(([re]) => re.test(m[2]!))?.[1] ?? 1;
    total += countOf(m[1]) * unit;
  }
  return total;
}

export interface ReminderExtraction {
  reminders: number[];
  /** "Remind me to call mom": the text asks for a reminder, at the due time unless an offset is given. */
  asked: boolean;
}

/**
 * "remind me 1 day before", "remind me 2 hours and 15 minutes before" (two reminders: `and` separates
 * reminders, write "135 minutes" for one), "remind me 1h30m before" (one, 90), "remind me the day
 * before", "remind me at the due time", and a leading "Remind me to …".
 */
export function extractReminders(view: TextView): ReminderExtraction {
  const reminders: number[] = [];
  let asked = false;
  const relative = new RegExp(
    `(^|\\s)(?:(?:and\\s+)?(?:remind(?:\\s+me)?|with\\s+(?:an?\\s+)?reminders?|reminders?|alert(?:\\s+me)?)\\s+)(${DURATIONS}|the\\s+day|the\\s+week|an?\\s+hour|a\\s+day)\\s+(?:before|early|earlier|ahead|prior)(?=\\s|$|[,.;:])`,
    'g',
  );
  for (const m of view.text.matchAll(relative)) {
    const what = m[2]!;
    if (/^the\s+day$/.test(what)) reminders.push(24 * 60);
    else if (/^the\s+week$/.test(what)) reminders.push(7 * 24 * 60);
    else for (const part of what.split(/\s*(?:,\s*and|,|and|&)\s*/)) reminders.push(durationMinutes(part));
    view.consume(m.index + m[1]!.length, m.index + m[0].length, 'when');
  }
  const onTime =
    /(^|\s)(?:remind(?:\s+me)?|with\s+a\s+reminder)\s+(?:at|on)\s+(?:the\s+)?(?:due\s+time|time|due\s+date)(?=\s|$|[,.;])/g;
  for (const m of view.text.matchAll(onTime)) {
    reminders.push(0);
    view.consume(m.index + m[1]!.length, m.index + m[0].length, 'when');
  }
  const leading = /^\s*remind\s+me\s+(?:to\s+)?/.exec(view.text);
  if (leading) {
    asked = true;
    view.consume(0, leading[0].length);
  }
  const unique = [...new Set(reminders.filter((n) => n >= 0))].sort((a, b) => b - a);
  return { reminders: unique, asked };
}
