import { type Kysely, type SqlBool, sql } from 'kysely';
import { DateTime } from 'luxon';
import type { Database } from '../db/types.ts';
import { visibleProjects } from '../projects/access.ts';
import { type WorkBudget, workBudget } from '../recurrence/expand.ts';
import { intendedWallTime } from '../recurrence/next-due.ts';
import { type Occurrence, occurrencesAfter } from '../recurrence/occurrences.ts';
import { type ParsedRule, parseRule } from '../recurrence/rule.ts';
import { formatWallTime } from '../wall-clock.ts';
import type { AgendaDay, AgendaOccurrence, AgendaToday, AgendaUpcoming } from './agenda-schemas.ts';
import { subtaskCounts, tagsJson } from './list-tasks.ts';
import { type TaskRowWithCounts, type TaskTag, toTaskJson } from './task-json.ts';

/**
 * The Today and Upcoming views. A day is a calendar day in the view's zone (the user's, or the one the
 * request names): the same instant is "today" in Auckland and "yesterday" in Los Angeles.
 */

/** Tasks per list (overdue, today, the upcoming range) before the answer says `truncated`. */
export const AGENDA_TASK_LIMIT = 500;
/** Recurring series whose not-yet-created occurrences Upcoming projects. */
export const AGENDA_SERIES_LIMIT = 200;
/** Occurrences projected per series ("every hour" for 31 days would be 744) and in all. */
export const AGENDA_OCCURRENCES_PER_SERIES = 100;
export const AGENDA_OCCURRENCES_TOTAL = 1_000;

/** The day `at` falls on in `timeZone`, and where it and the days after it begin. */
function dayStart(at: Date, timeZone: string): DateTime {
  return DateTime.fromJSDate(at, { zone: timeZone }).startOf('day');
}

const localDate = (at: Date | DateTime, timeZone: string) =>
  (at instanceof DateTime ? at : DateTime.fromJSDate(at, { zone: timeZone })).toISODate()!;

/**
 * The due column as the (user_id, coalesce(due_at, 'infinity'), id) index has it, so a due range is an
 * index range scan in due order (tasks without a due date sort past any range).
 */
const dueKey = sql<Date>`coalesce(t.due_at, 'infinity'::timestamptz)`;

/** The caller's open tasks due in [from, to), by due time, at most `limit` + 1 (to tell a cut). */
function openTasksDue(db: Kysely<Database>, userId: string, from: Date | null, to: Date, limit: number) {
  let query = db
    .selectFrom('tasks as t')
    .selectAll('t')
    .select(tagsJson.as('tags'))
    .select(subtaskCounts.as('subtasks'))
    // Every project the caller is a member of (sharing, projects/access.ts).
    .where('t.project_id', 'in', visibleProjects(userId))
    .where('t.status', '<>', 'done')
    .where(dueKey, '<', to);
  if (from) query = query.where(dueKey, '>=', from);
  return query
    .orderBy(dueKey)
    .orderBy('t.id')
    .limit(limit + 1)
    .execute();
}

/**
 * Today: the open tasks due before today began (overdue, oldest first) and those due today (by due time,
 * including the ones whose time today has passed: they are today's work, not yesterday's). The split is
 * by calendar day, as the view shows them, not by `now`.
 */
export async function agendaToday(
  db: Kysely<Database>,
  userId: string,
  timeZone: string,
  now = new Date(),
): Promise<AgendaToday> {
  const start = dayStart(now, timeZone);
  const end = start.plus({ days: 1 }).startOf('day');
  const [overdue, today] = await Promise.all([
    openTasksDue(db, userId, null, start.toJSDate(), AGENDA_TASK_LIMIT),
    openTasksDue(db, userId, start.toJSDate(), end.toJSDate(), AGENDA_TASK_LIMIT),
  ]);
  const out = (rows: typeof overdue) => rows.slice(0, AGENDA_TASK_LIMIT).map((r) => toTaskJson(r, r.tags));
  return {
    date: localDate(start, timeZone),
    time_zone: timeZone,
    overdue: out(overdue),
    today: out(today),
    truncated: overdue.length > AGENDA_TASK_LIMIT || today.length > AGENDA_TASK_LIMIT,
  };
}

type SeriesHead = TaskRowWithCounts & { tags: TaskTag[] };

/**
 * The open occurrence each of the caller's live series continues from: an open task with a rule and a due
 * date that is its series' latest (no occurrence was created after it — so nothing it would project
 * exists yet), in a series that has not ended, due before the range ends (a later one projects nothing
 * into it). At most `limit` + 1, earliest due first.
 */
function seriesHeads(db: Kysely<Database>, userId: string, to: Date, limit: number): Promise<SeriesHead[]> {
  return db
    .selectFrom('tasks as t')
    .selectAll('t')
    .select(tagsJson.as('tags'))
    .select(subtaskCounts.as('subtasks'))
    .where('t.project_id', 'in', visibleProjects(userId))
    .where('t.status', '<>', 'done')
    .where('t.recurrence_rule', 'is not', null)
    .where('t.series_id', 'is not', null)
    .where(dueKey, '<', to)
    .where(
      sql<SqlBool>`not exists (select 1 from tasks n where n.previous_occurrence_id = t.id)
        and not exists (select 1 from recurrence_series_ends e where e.series_id = t.series_id)`,
    )
    .orderBy(dueKey)
    .orderBy('t.id')
    .limit(limit + 1)
    .execute() as Promise<SeriesHead[]>;
}

/** Occurrences asked of the rule per step; doubled each step, so a long walk takes a few steps. */
const FIRST_STEP = 8;
const MAX_STEP = 256;

/**
 * The occurrences of a series after its open occurrence `head` that fall in [from, to), at most `max` + 1.
 * Expanded in the series' zone from the head's intended wall time (recurrence/occurrences.ts), so they
 * are wall-clock correct across DST, and COUNT counts from the head's number. A head due long before
 * `from` is walked forward in steps, each re-anchored at the last occurrence found (as occurrencesAfter
 * does within one call), so the walk costs the periods between them once. `budget` is the request's.
 */
export function occurrencesWithin(
  rule: ParsedRule,
  head: { dueAt: Date; dueLocal: string | null; timeZone: string; occurrenceNumber: number },
  from: Date,
  to: Date,
  max: number,
  budget: WorkBudget,
): Occurrence[] {
  let anchor = { at: head.dueAt, wall: intendedWallTime(head) };
  let countSoFar = head.occurrenceNumber;
  let step = FIRST_STEP;
  const found: Occurrence[] = [];
  for (;;) {
    const batch = occurrencesAfter(rule, anchor.at, head.timeZone, anchor.at, step, {
      countSoFar,
      anchorWallTime: anchor.wall,
      budget,
    });
    for (const o of batch) {
      if (o.at.getTime() >= to.getTime()) return found;
      if (o.at.getTime() >= from.getTime()) found.push(o);
      if (found.length > max) return found;
    }
    // Fewer than asked: COUNT or UNTIL ended the series, or the work budget ran out.
    if (batch.length < step) return found;
    const last = batch[batch.length - 1]!;
    anchor = { at: last.at, wall: last.wall };
    countSoFar += batch.length;
    step = Math.min(step * 2, MAX_STEP);
  }
}

/** A rule as stored; one the parser no longer accepts projects nothing rather than failing the view. */
function ruleOf(text: string): ParsedRule | null {
  try {
    return parseRule(text);
  } catch {
    return null;
  }
}

/**
 * The not-yet-created occurrences of the caller's recurring series in [from, to), each with the series
 * and the stored occurrence it would follow. One work budget for the whole request; the number of
 * series and of occurrences (per series and in all) are capped, and `truncated` says when a cap or the
 * budget cut something.
 */
async function projectedOccurrences(
  db: Kysely<Database>,
  userId: string,
  from: Date,
  to: Date,
): Promise<{ occurrences: AgendaOccurrence[]; truncated: boolean }> {
  const heads = await seriesHeads(db, userId, to, AGENDA_SERIES_LIMIT);
  let truncated = heads.length > AGENDA_SERIES_LIMIT;
  const budget = workBudget();
  const occurrences: AgendaOccurrence[] = [];
  for (const head of heads.slice(0, AGENDA_SERIES_LIMIT)) {
    const left = AGENDA_OCCURRENCES_TOTAL - occurrences.length;
    if (left <= 0) {
      // The total is reached with series still to project.
      truncated = true;
      break;
    }
    const rule = ruleOf(head.recurrence_rule!);
    if (!rule || !head.due_at) continue;
    const max = Math.min(AGENDA_OCCURRENCES_PER_SERIES, left);
    const found = occurrencesWithin(
      rule,
      {
        dueAt: new Date(head.due_at),
        dueLocal: head.due_local,
        timeZone: head.time_zone,
        occurrenceNumber: head.occurrence_number,
      },
      from,
      to,
      max,
      budget,
    );
    if (found.length > max || budget.periods <= 0) truncated = true;
    for (const o of found.slice(0, max)) {
      occurrences.push({
        series_id: head.series_id!,
        task_id: head.id,
        title: head.title,
        priority: head.priority,
        tags: head.tags,
        due_at: o.at.toISOString(),
        due_local: formatWallTime(o.wall),
        time_zone: head.time_zone,
      });
    }
  }
  return { occurrences: await withoutStored(db, userId, occurrences, from, to), truncated };
}

/**
 * Drops a projected occurrence that exists as a task after all (same series, same due instant): the
 * heads are their series' latest occurrence, so this only matters when the next one is created between
 * the two reads — and then the stored task is the one to show.
 */
async function withoutStored(
  db: Kysely<Database>,
  userId: string,
  occurrences: AgendaOccurrence[],
  from: Date,
  to: Date,
): Promise<AgendaOccurrence[]> {
  const seriesIds = [...new Set(occurrences.map((o) => o.series_id))];
  if (!seriesIds.length) return occurrences;
  const stored = await db
    .selectFrom('tasks')
    .select(['series_id', 'due_at'])
    .where('project_id', 'in', visibleProjects(userId))
    .where('series_id', 'in', seriesIds)
    .where('due_at', '>=', from)
    .where('due_at', '<', to)
    .execute();
  const taken = new Set(stored.map((s) => `${s.series_id} ${new Date(s.due_at!).toISOString()}`));
  return occurrences.filter((o) => !taken.has(`${o.series_id} ${o.due_at}`));
}

/**
 * Upcoming: today and the `days` − 1 days after it in the view's zone, each with the open tasks due that
 * day and the occurrences of the caller's recurring series that will fall on it but are not tasks yet
 * (what the series view lists as upcoming). Every day is listed, an empty one too.
 */
export async function agendaUpcoming(
  db: Kysely<Database>,
  userId: string,
  timeZone: string,
  days: number,
  now = new Date(),
): Promise<AgendaUpcoming> {
  const start = dayStart(now, timeZone);
  const dates = Array.from({ length: days }, (_, i) => start.plus({ days: i }).startOf('day'));
  const from = start.toJSDate();
  const to = start.plus({ days }).startOf('day').toJSDate();
  const [rows, projected] = await Promise.all([
    openTasksDue(db, userId, from, to, AGENDA_TASK_LIMIT),
    projectedOccurrences(db, userId, from, to),
  ]);
  const byDate = new Map<string, AgendaDay>(
    dates.map((d) => [localDate(d, timeZone), { date: localDate(d, timeZone), tasks: [], occurrences: [] }]),
  );
  for (const row of rows.slice(0, AGENDA_TASK_LIMIT))
    byDate.get(localDate(new Date(row.due_at!), timeZone))?.tasks.push(toTaskJson(row, row.tags));
  const occurrences = [...projected.occurrences].sort((a, b) => Date.parse(a.due_at) - Date.parse(b.due_at));
  for (const o of occurrences) byDate.get(localDate(new Date(o.due_at), timeZone))?.occurrences.push(o);
  return {
    time_zone: timeZone,
    days: [...byDate.values()],
    truncated: rows.length > AGENDA_TASK_LIMIT || projected.truncated,
  };
}
