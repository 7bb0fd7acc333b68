import { type Options, RRule } from 'rrule';
import { parseWallTime, type WallTime } from '../wall-clock.ts';

/**
 * A recurrence rule split into the part rrule expands (the pattern) and the two parts that end a series,
 * which we apply ourselves:
 * - COUNT counts occurrences from the series start, but each expansion is anchored on the current
 *   occurrence, so the count is compared with the occurrence's number instead of handed to rrule;
 * - rrule parses every UNTIL form (`…Z`, floating `…T…`, DATE) into the same Date and then compares it
 *   with floating wall times, so `UNTIL=20240311T220000Z` (09:00 on 12 March in Sydney) would cut off
 *   12 March 09:00 in Sydney. We keep which form was given and compare in the right space.
 */
export type Until =
  /** `UNTIL=…Z`: an instant (RFC 5545's form when DTSTART has a time zone). */
  | { kind: 'instant'; at: Date }
  /** `UNTIL=YYYYMMDDTHHMMSS` without Z: a wall-clock time in the task's zone. */
  | { kind: 'wall'; wall: WallTime }
  /** `UNTIL=YYYYMMDD`: that whole local day is included. */
  | { kind: 'date'; wall: WallTime };

export interface ParsedRule {
  /** rrule options without DTSTART, COUNT and UNTIL. */
  pattern: Partial<Options>;
  count: number | null;
  until: Until | null;
}

export class RuleError extends Error {
  override readonly name = 'RuleError';
}

const UNTIL_VALUE = /(?:^|;)UNTIL=(\d{8})(?:T(\d{6})(Z?))?(?:;|$)/i;
const SUPPORTED = new Set([RRule.YEARLY, RRule.MONTHLY, RRule.WEEKLY, RRule.DAILY, RRule.HOURLY]);
/**
 * The shortest repeat is hourly: a task (and its reminders, notifications and series rows) every few
 * minutes is not a to-do, and MINUTELY/SECONDLY would make every expansion walk 60–3,600× more periods.
 */
const TOO_OFTEN = new Set([RRule.MINUTELY, RRule.SECONDLY]);
/** The time-of-day parts and the values RFC 5545 allows (no leap second: a JS Date cannot show one). */
const TIME_PARTS = [
  ['byhour', 'BYHOUR', 23],
  ['byminute', 'BYMINUTE', 59],
  ['bysecond', 'BYSECOND', 59],
] as const;

/**
 * rrule takes any value here (a string, 25): out of range, an hour never matches, and rrule's HOURLY
 * step loops forever looking for it.
 */
function checkTimeParts(options: Partial<Options>): void {
  for (const [key, name, max] of TIME_PARTS) {
    const value = options[key];
    if (value === undefined || value === null) continue;
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (!values.every((v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max))
      throw new RuleError(`${name} must be whole numbers from 0 to ${max}`);
  }
}

function parseUntil(text: string): Until | null {
  if (!/(?:^|;)UNTIL=/i.test(text)) return null;
  const m = UNTIL_VALUE.exec(text);
  if (!m) throw new RuleError('UNTIL must be YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ');
  const [, date, time, zulu] = m as unknown as [string, string, string | undefined, string | undefined];
  const iso = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${
    time ? `${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4, 6)}` : '00:00:00'
  }`;
  const wall = parseWallTime(iso);
  if (
    !wall ||
    Number.isNaN(Date.parse(`${iso}Z`)) ||
    new Date(`${iso}Z`).toISOString().slice(0, 19) !== iso
  ) {
    throw new RuleError(`UNTIL ${m[0].replace(/;/g, '')} is not a real date`);
  }
  if (!time) return { kind: 'date', wall };
  return zulu ? { kind: 'instant', at: new Date(`${iso}Z`) } : { kind: 'wall', wall };
}

/** Parses an RRULE body (`FREQ=…;…`, optional `RRULE:` prefix). Throws a RuleError saying what is wrong. */
export function parseRule(text: string): ParsedRule {
  const body = text.trim().replace(/^RRULE:/i, '');
  if (/DTSTART|TZID|[\r\n]/i.test(body)) {
    throw new RuleError('give the rule only (FREQ=...); the start is the due date and the zone the task’s');
  }
  let options: Partial<Options>;
  try {
    options = RRule.parseString(body);
  } catch (e) {
    throw new RuleError((e as Error).message);
  }
  if (options.freq === undefined || options.freq === null) throw new RuleError('FREQ is required');
  if (TOO_OFTEN.has(options.freq)) {
    throw new RuleError('repeats more often than hourly are not supported: the shortest is FREQ=HOURLY');
  }
  if (!SUPPORTED.has(options.freq))
    throw new RuleError('FREQ must be HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY');
  const interval = options.interval;
  if (interval !== undefined && interval !== null && (!Number.isInteger(interval) || interval < 1)) {
    throw new RuleError('INTERVAL must be a positive integer');
  }
  checkTimeParts(options);
  if (options.count !== undefined && options.count !== null && options.count < 1) {
    throw new RuleError('COUNT must be a positive integer');
  }
  if (options.count && options.until) throw new RuleError('COUNT and UNTIL cannot both be given');
  const { count, until: _until, dtstart: _dtstart, tzid: _tzid, ...pattern } = options;
  return { pattern, count: count ?? null, until: parseUntil(body) };
}

/** The zod-friendly check: null when the rule is usable, otherwise what is wrong with it. */
export function ruleProblem(text: string): string | null {
  try {
    parseRule(text);
    return null;
  } catch (e) {
    return e instanceof RuleError ? e.message : String(e);
  }
}
