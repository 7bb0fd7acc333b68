/** Words the quick-add parser understands, as regex sources (used on lower-cased text) and lookups. */

export const DAY_NAME =
  '(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)s?';
/** "monday", "mon, wed and fri", "tuesday & thursday". */
export const DAY_LIST = `${DAY_NAME}(?:\\s*(?:,\\s*and|,|and|&|\\+)\\s*${DAY_NAME})*`;
export const ORDINAL_WORD = '(?:first|second|third|fourth|fifth|last|second[- ]to[- ]last|penultimate)';
export const MONTH_DAY = '(?:3[01]|[12]\\d|0?[1-9])(?:st|nd|rd|th)?';
export const ORDINAL_DAY = '(?:3[01]|[12]\\d|0?[1-9])(?:st|nd|rd|th)';
export const MONTH_NAME =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
export const COUNT_WORD =
  '(?:\\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|other|second|third|fourth)';

const NUMBER_WORDS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  other: 2,
  second: 2,
  third: 3,
  fourth: 4,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
};

export function countOf(word: string | undefined): number {
  if (!word) return 1;
  return NUMBER_WORDS[word] ?? Number.parseInt(word, 10);
}

export const RRULE_DAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const;
export type RRuleDay = (typeof RRULE_DAYS)[number];

/** "thurs" → TH; matched by its first two letters, which are unique among English day names. */
export function dayCode(word: string): RRuleDay {
  const two = word.slice(0, 2);
  const map: Record<string, RRuleDay> = {
    mo: 'MO',
    tu: 'TU',
    we: 'WE',
    th: 'TH',
    fr: 'FR',
    sa: 'SA',
    su: 'SU',
  };
  const code = map[two];
  if (!code) throw new Error(`not a day name: ${word}`);
  return code;
}

export function dayList(text: string): RRuleDay[] {
  const codes = (text.match(new RegExp(DAY_NAME, 'g')) ?? []).map(dayCode);
  return RRULE_DAYS.filter((d) => codes.includes(d)).sort(
    (a, b) => ((RRULE_DAYS.indexOf(a) + 6) % 7) - ((RRULE_DAYS.indexOf(b) + 6) % 7),
  );
}

/** first → 1 … fifth → 5, last → -1, second to last → -2; "15th" → 15. */
export function ordinalOf(word: string): number {
  const w = word.replace(/[- ]/g, '');
  const named: Record<string, number> = {
    first: 1,
    second: 2,
    third: 3,
    fourth: 4,
    fifth: 5,
    last: -1,
    secondtolast: -2,
    penultimate: -2,
  };
  return named[w] ?? Number.parseInt(w, 10);
}

export function monthOf(word: string): number {
  const names = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
  return names.indexOf(word.slice(0, 3)) + 1;
}

/** The fewest days a month can have (February: 28), for deciding when a day of the month needs clamping. */
export const MIN_DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
export const MAX_DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A time of day in a repeat's hour range: "8am", "8:30 pm", "20:00", "8", "noon", "midnight". */
export const CLOCK_TIME =
  '(?:noon|midnight|(?:2[0-3]|[01]?\\d)(?::[0-5]\\d)?(?![\\d:])(?:\\s*[ap]\\.?m\\.?)?)';

export interface ClockTime {
  hour: number;
  minute: number;
  /** True when am/pm (or noon/midnight, or a 24-hour 13:00–23:59) made the hour unambiguous. */
  certain: boolean;
}

/**
 * "8am" → 08:00, "8:30pm" → 20:30, "noon" → 12:00. A bare 1–7 means pm and 8–12 is as written (the
 * dates' rule: nobody means 5 in the morning by accident); a leading zero ("07:00") is as written.
 */
export function clockTimeOf(text: string): ClockTime {
  const t = text.trim();
  if (t === 'noon') return { hour: 12, minute: 0, certain: true };
  if (t === 'midnight') return { hour: 0, minute: 0, certain: true };
  const m = /^(\d{1,2})(?::(\d{2}))?\s*(?:([ap])\.?m\.?)?$/.exec(t);
  if (!m) throw new Error(`not a time of day: ${text}`);
  let hour = Number(m[1]);
  const minute = m[2] ? Number(m[2]) : 0;
  if (m[3]) return { hour: (hour % 12) + (m[3] === 'p' ? 12 : 0), minute, certain: true };
  if (hour >= 13 || /^0\d/.test(t)) return { hour, minute, certain: true };
  if (hour >= 1 && hour <= 7) hour += 12;
  return { hour, minute, certain: false };
}
