import { RRule } from 'rrule';
import type { RecurrenceMode } from '../db/types.ts';
import {
  formatWallTime,
  instantOf,
  parseWallTime,
  toFloating,
  type WallTime,
  wallTimeOf,
} from '../wall-clock.ts';
import { reachableHours } from './expand.ts';
import { type Occurrence, occurrencesAfter } from './occurrences.ts';
import { type ParsedRule, parseRule } from './rule.ts';

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
 * - 'completion': the rule restarts in the PERIOD of completion — its local day, or for an HOURLY rule
 *   its local hour — at the occurrence's wall-clock time within that period, and the next is the first
 *   occurrence after that (and after the completion): a daily 09:00 task completed any time on Tuesday is
 *   next due Wednesday 09:00, with INTERVAL=3 Friday 09:00; an "every 4 hours" dose due 08:00 and taken
 *   at 09:10 restarts at 09:00 and is next due 13:00 (the rule's minute is kept, so it stays on the hour).
 */
function seriesAnchor(state: OccurrenceState, rule: ParsedRule): { wall: WallTime; at: Date; after: Date } {
  const wall = intendedWallTime(state);
  if (state.mode === 'schedule' || !state.completedAt) return { wall, at: state.dueAt, after: state.dueAt };
  const done = wallTimeOf(state.completedAt, state.timeZone);
  const hourly = rule.pattern.freq === RRule.HOURLY;
  const restart = {
    ...wall,
    year: done.year,
    month: done.month,
    day: done.day,
    hour: hourly ? done.hour : wall.hour,
  };
  // An INTERVAL counted from the completion's hour may never reach the rule's BYHOUR (every 2 hours at
  // 08, 10, 12, 14 and done at 13:30): the series would end silently. It keeps its own phase instead and
  // continues with the first occurrence after the completion (14:00).
  if (hourly && !reachableHours(rule.pattern, toFloating(restart)).length) {
    return {
      wall,
      at: state.dueAt,
      after: new Date(Math.max(state.dueAt.getTime(), state.completedAt.getTime())),
    };
  }
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
  const rule = parseRule(state.rule);
  const anchor = seriesAnchor(state, rule);
  const found: Occurrence[] = occurrencesAfter(rule, anchor.at, state.timeZone, anchor.after, n, {
    countSoFar: state.occurrenceNumber,
    anchorWallTime: anchor.wall,
  });
  return found.map((o, i) => ({
    dueAt: o.at,
    dueLocal: formatWallTime(o.wall),
    occurrenceNumber: state.occurrenceNumber + i + 1,
  }));
}
