import type { RecurrenceMode } from '../db/types.ts';
import { formatWallTime, instantOf, parseWallTime, type WallTime, wallTimeOf } from '../wall-clock.ts';
import { type Occurrence, occurrencesAfter } from './occurrences.ts';
import { parseRule } from './rule.ts';

/** The recurrence-relevant state of one occurrence (one task) of a series. */
export interface OccurrenceState {
  rule: string;
  mode: RecurrenceMode;
  dueAt: Date;
  /** The wall-clock due it was created for (`YYYY-MM-DDTHH:mm:ss`), if known. */
  dueLocal: string | null;
  timeZone: string;
  /** 1 for the series' first occurrence. */
  occurrenceNumber: number;
  /** When it was completed or skipped; the anchor of mode 'completion'. */
  completedAt: Date | null;
}

export interface NextDue {
  dueAt: Date;
  dueLocal: string;
  occurrenceNumber: number;
}

/**
 * The wall-clock time an occurrence stands for. The remembered `dueLocal` wins while it still maps to
 * the due instant (a 02:30 pushed to 03:30 by a DST gap stays "02:30"); once the user moves the due
 * date it no longer does, and the due date's own wall time is the new intent.
 */
export function intendedWallTime(state: Pick<OccurrenceState, 'dueAt' | 'dueLocal' | 'timeZone'>): WallTime {
  const remembered = state.dueLocal ? parseWallTime(state.dueLocal) : null;
  if (remembered && instantOf(remembered, state.timeZone).getTime() === state.dueAt.getTime())
    return remembered;
  return wallTimeOf(state.dueAt, state.timeZone);
}

/**
 * Where the series continues from:
 * - 'schedule': the occurrence's own due — the next is the rule's first occurrence after it, even if
 *   that is already past (a late completion does not shift the series);
 * - 'completion': the rule restarts on the LOCAL DAY of completion at the occurrence's wall-clock time,
 *   and the next is the first occurrence after that (and after the completion): a daily 09:00 task
 *   completed any time on Tuesday is next due Wednesday 09:00; with INTERVAL=3, Friday 09:00.
 */
function seriesAnchor(state: OccurrenceState): { wall: WallTime; at: Date; after: Date } {
  const wall = intendedWallTime(state);
  if (state.mode === 'schedule' || !state.completedAt) return { wall, at: state.dueAt, after: state.dueAt };
  const day = wallTimeOf(state.completedAt, state.timeZone);
  const restart = { ...wall, year: day.year, month: day.month, day: day.day };
  const at = instantOf(restart, state.timeZone);
  return { wall: restart, at, after: new Date(Math.max(at.getTime(), state.completedAt.getTime())) };
}

/** The next occurrence of the series after this one, or null when COUNT or UNTIL has ended it. */
export function nextDue(state: OccurrenceState): NextDue | null {
  const upcoming = upcomingDues(state, 1);
  return upcoming[0] ?? null;
}

/** The next `n` occurrences after this one, numbered, as the series would create them. */
export function upcomingDues(state: OccurrenceState, n: number): NextDue[] {
  const anchor = seriesAnchor(state);
  const found: Occurrence[] = occurrencesAfter(
    parseRule(state.rule),
    anchor.at,
    state.timeZone,
    anchor.after,
    n,
    {
      countSoFar: state.occurrenceNumber,
      anchorWallTime: anchor.wall,
    },
  );
  return found.map((o, i) => ({
    dueAt: o.at,
    dueLocal: formatWallTime(o.wall),
    occurrenceNumber: state.occurrenceNumber + i + 1,
  }));
}
