import { instantOf, intendedWallTime, parseRule, type WallTime, wallTimeOf } from '@todo/core';
import { IANAZone } from 'luxon';
import { type ContentLine, escapeText, formatCalendar, localDateTime, utcDateTime } from './ics.ts';
import { vtimezone } from './vtimezone.ts';

/** What the feed shows of one open task with a due date. */
export interface FeedTask {
  id: string;
  title: string;
  description: string;
  status: 'todo' | 'in_progress' | 'done';
  priority: 'low' | 'medium' | 'high';
  due_at: Date;
  time_zone: string;
  recurrence_rule: string | null;
  series_id: string | null;
  occurrence_number: number;
  due_local: string | null;
  created_at: Date;
  updated_at: Date;
  tags: string[];
}

/**
 * `event` (the default): a VEVENT per task — Google Calendar, Apple Calendar and Outlook show VEVENTs
 * from a subscription and ignore VTODOs. `todo`: VTODOs, for task clients that subscribe (Thunderbird).
 */
export type FeedType = 'event' | 'todo';

export interface FeedOptions {
  type: FeedType;
  /** The web app's address: task links, and the domain of every UID. */
  baseUrl: string;
  /** Which years the time zones must cover: now, and the earliest due date shown. */
  now?: Date;
}

export const PRODID = '-//Todo//Calendar feed 1.0//EN';
export const CALENDAR_NAME = 'Todo';
/**
 * A task has a due time but no length; an event needs one to be drawn. 15 minutes is the shortest that
 * every client draws legibly, and it sits at the due time rather than ending there, so "due 17:00" shows
 * at 17:00. Tasks also do not make the user busy (TRANSP:TRANSPARENT).
 */
export const EVENT_DURATION = 'PT15M';
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** How often subscribers should fetch again (RFC 7986, and Outlook's X-PUBLISHED-TTL). */
const REFRESH = 'PT30M';

/** RFC 5545 priorities: 1 the highest, 5 medium, 9 the lowest. */
const PRIORITY = { high: 1, medium: 5, low: 9 } as const;
/** The RECUR parts of RFC 5545 §3.3.10; rrule also reads BYEASTER, which no calendar would. */
const RECUR_PARTS = new Set([
  'FREQ',
  'UNTIL',
  'COUNT',
  'INTERVAL',
  'BYSECOND',
  'BYMINUTE',
  'BYHOUR',
  'BYDAY',
  'BYMONTHDAY',
  'BYYEARDAY',
  'BYWEEKNO',
  'BYMONTH',
  'BYSETPOS',
  'WKST',
]);

/**
 * The RRULE for a series shown from its open occurrence (its DTSTART): COUNT counts from the series'
 * start in our rule and from DTSTART in the feed, so it becomes what is left; UNTIL is written as the
 * UTC instant RFC 5545 requires with a zoned DTSTART (ours may be a local time or a whole local day).
 * Null when the rule cannot be written for a calendar (then the occurrence is shown on its own).
 */
export function feedRule(
  task: Pick<FeedTask, 'recurrence_rule' | 'occurrence_number' | 'time_zone'>,
): string | null {
  if (!task.recurrence_rule) return null;
  let parsed: ReturnType<typeof parseRule>;
  try {
    parsed = parseRule(task.recurrence_rule);
  } catch {
    return null;
  }
  const parts = task.recurrence_rule
    .trim()
    .replace(/^RRULE:/i, '')
    .split(';')
    .filter(Boolean)
    .map((part) => {
      const [name = '', value = ''] = part.split('=');
      return [name.trim().toUpperCase(), value.trim().toUpperCase()] as const;
    });
  if (parts.some(([name]) => !RECUR_PARTS.has(name))) return null;
  const kept = parts.filter(([name]) => name !== 'COUNT' && name !== 'UNTIL').map(([n, v]) => `${n}=${v}`);
  if (parsed.count !== null) kept.push(`COUNT=${Math.max(1, parsed.count - task.occurrence_number + 1)}`);
  const until = parsed.until;
  if (until) {
    const at =
      until.kind === 'instant'
        ? until.at
        : instantOf(
            until.kind === 'wall' ? until.wall : { ...until.wall, hour: 23, minute: 59, second: 59 },
            task.time_zone,
          );
    kept.push(`UNTIL=${utcDateTime(at)}`);
  }
  return kept.join(';');
}

/** The tasks that carry their series' RRULE: the open occurrence with the highest number in each series. */
function seriesHeads(tasks: FeedTask[]): Set<string> {
  const head = new Map<string, FeedTask>();
  for (const t of tasks) {
    if (!t.recurrence_rule || !t.series_id) continue;
    const seen = head.get(t.series_id);
    if (!seen || t.occurrence_number > seen.occurrence_number) head.set(t.series_id, t);
  }
  return new Set([...head.values()].map((t) => t.id));
}

const textLine = (name: string, value: string): ContentLine => ({ name, value: escapeText(value) });

/** True when the wall-clock time occurs twice in the zone (the hour repeated when clocks go back). */
function occursTwice(wall: WallTime, timeZone: string): boolean {
  const zone = IANAZone.create(timeZone);
  const floating = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  const offsets = new Set([zone.offset(floating - DAY_MS), zone.offset(floating + DAY_MS)]);
  return [...offsets].filter((o) => zone.offset(floating - o * MINUTE_MS) === o).length > 1;
}

/**
 * DTSTART / DUE. A series is written in its zone at the wall-clock time it means, which its RRULE repeats
 * (02:30 in a spring-forward gap stays 02:30: RFC 5545 §3.3.5 reads it as 03:30 that day, as we do, and
 * it is 02:30 on the other days). A one-off task is written at the wall-clock time its instant shows,
 * which is never in a gap; in the repeated hour of a fall-back that time means two instants, and RFC 5545
 * says the first while ical.js (and so some clients) take the second, so there it is written in UTC.
 */
function dueValue(task: FeedTask, recurring: boolean): Pick<ContentLine, 'params' | 'value'> {
  const wall = recurring
    ? intendedWallTime({ dueAt: task.due_at, dueLocal: task.due_local, timeZone: task.time_zone })
    : wallTimeOf(task.due_at, task.time_zone);
  if (!recurring && occursTwice(wall, task.time_zone)) return { value: utcDateTime(task.due_at) };
  return { params: { TZID: task.time_zone }, value: localDateTime(wall) };
}

function component(task: FeedTask, rule: string | null, options: FeedOptions, domain: string): ContentLine[] {
  const kind = options.type === 'todo' ? 'VTODO' : 'VEVENT';
  // The series keeps one UID while its occurrences come and go, so a subscriber moves the event rather
  // than adding one per occurrence; a one-off task is its own.
  const inSeries = rule !== null && task.series_id;
  const uid = inSeries ? `series-${task.series_id}@${domain}` : `task-${task.id}@${domain}`;
  const link = inSeries
    ? `${options.baseUrl}/series/${task.series_id}`
    : `${options.baseUrl}/tasks/${task.id}`;
  const due = dueValue(task, rule !== null);
  const when: ContentLine[] =
    kind === 'VEVENT'
      ? [
          { name: 'DTSTART', ...due },
          { name: 'DURATION', value: EVENT_DURATION },
        ]
      : // DUE alone is the to-do; a recurring one needs DTSTART to anchor its RRULE, at the same time (as
        // Apple Reminders writes them), since any other start would move the rule's default hour and minute.
        [...(rule ? [{ name: 'DTSTART', ...due }] : []), { name: 'DUE', ...due }];
  return [
    { name: 'BEGIN', value: kind },
    { name: 'UID', value: uid },
    // Without METHOD, DTSTAMP is the object's last change (RFC 5545 §3.8.7.2): the body, and so its ETag,
    // stays the same until a task does.
    { name: 'DTSTAMP', value: utcDateTime(task.updated_at) },
    { name: 'CREATED', value: utcDateTime(task.created_at) },
    { name: 'LAST-MODIFIED', value: utcDateTime(task.updated_at) },
    textLine('SUMMARY', task.title),
    ...(task.description ? [textLine('DESCRIPTION', task.description)] : []),
    ...when,
    ...(rule ? [{ name: 'RRULE', value: rule }] : []),
    ...(task.tags.length ? [{ name: 'CATEGORIES', value: task.tags.map(escapeText).join(',') }] : []),
    { name: 'PRIORITY', value: String(PRIORITY[task.priority]) },
    kind === 'VEVENT'
      ? { name: 'STATUS', value: 'CONFIRMED' }
      : { name: 'STATUS', value: task.status === 'in_progress' ? 'IN-PROCESS' : 'NEEDS-ACTION' },
    ...(kind === 'VEVENT' ? [{ name: 'TRANSP', value: 'TRANSPARENT' }] : []),
    { name: 'URL', value: link },
    { name: 'END', value: kind },
  ];
}

const byStart = (a: FeedTask, b: FeedTask) =>
  a.due_at.getTime() - b.due_at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The calendar: one VTIMEZONE per zone the tasks use, then one component per task — a recurring series
 * once, from its open occurrence with its RRULE, not a copy per occurrence. Only open tasks belong in it
 * (the caller selects them): done ones leave the calendar at the next refresh. The output depends only on
 * the tasks and the year, so an unchanged calendar has an unchanged ETag.
 */
export function buildCalendar(tasks: FeedTask[], options: FeedOptions): string {
  const domain = new URL(options.baseUrl).hostname;
  const heads = seriesHeads(tasks);
  const sorted = [...tasks].sort(byStart);
  const earliest = new Map<string, number>();
  for (const t of sorted) {
    if (!earliest.has(t.time_zone)) earliest.set(t.time_zone, t.due_at.getUTCFullYear());
  }
  const zones = [...earliest.keys()].sort();
  return formatCalendar([
    { name: 'BEGIN', value: 'VCALENDAR' },
    { name: 'VERSION', value: '2.0' },
    { name: 'PRODID', value: PRODID },
    { name: 'CALSCALE', value: 'GREGORIAN' },
    textLine('X-WR-CALNAME', CALENDAR_NAME),
    textLine('NAME', CALENDAR_NAME),
    { name: 'REFRESH-INTERVAL', params: { VALUE: 'DURATION' }, value: REFRESH },
    { name: 'X-PUBLISHED-TTL', value: REFRESH },
    ...zones.flatMap((zone) => vtimezone(zone, earliest.get(zone)!, options.now)),
    ...sorted.flatMap((t) => component(t, heads.has(t.id) ? feedRule(t) : null, options, domain)),
    { name: 'END', value: 'VCALENDAR' },
  ]);
}
