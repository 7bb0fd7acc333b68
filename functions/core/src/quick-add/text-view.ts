const MASK = '\u0000';

/**
 * The text being parsed, as each extractor sees it: lower-cased, with text in double quotes masked (so
 * "Sunday school" stays in the title) and with everything already understood blanked out. Positions never
 * move, so the title is what is left of the original text when the parsers are done.
 */
export class TextView {
  private readonly used: (false | 'when' | 'meta')[];
  private readonly quoted: boolean[];

  constructor(readonly original: string) {
    this.used = Array.from(original, () => false as const);
    this.quoted = Array.from(original, () => false);
    for (const m of original.matchAll(/"([^"]*)"|“([^”]*)”/g)) {
      for (let i = m.index; i < m.index + m[0].length; i++) this.quoted[i] = true;
    }
  }

  /** The text for matching: consumed characters are spaces, quoted ones a mask that no pattern matches. */
  get text(): string {
    let out = '';
    for (let i = 0; i < this.original.length; i++) {
      if (this.used[i]) out += ' ';
      else if (this.quoted[i]) out += MASK;
      else out += this.original[i]!.toLowerCase();
    }
    return out;
  }

  /**
   * Marks a span as understood. `when` spans (dates, times, repeats, reminders) also absorb the little
   * words before them ("due on", "at", "by"), so "Report due on friday" leaves "Report".
   */
  consume(start: number, end: number, kind: 'when' | 'meta' = 'meta'): void {
    for (let i = start; i < end && i < this.used.length; i++) this.used[i] = kind;
  }

  /** True when only spaces lie between the end of something already understood and `start`. */
  followsConsumed(start: number): boolean {
    let i = start - 1;
    while (i >= 0 && !this.used[i] && /\s/.test(this.original[i]!)) i--;
    return i >= 0 && this.used[i] !== false;
  }

  /** What is left, tidied: no dangling "on"/"at"/"due", no stray punctuation, quotes removed. */
  remainder(): string {
    this.absorbConnectors();
    let out = '';
    for (let i = 0; i < this.original.length; i++) out += this.used[i] ? ' ' : this.original[i];
    return out
      .replace(/\s+/g, ' ')
      .replace(/\s+([,;:!?.])/g, '$1')
      .replace(/^[\s,;:–-]+|[\s,;:–-]+$/g, '')
      .replace(/"([^"]*)"|“([^”]*)”/g, (_, a, b) => a ?? b)
      .trim();
  }

  private absorbConnectors(): void {
    const connector = /^(?:on|at|by|due|from|starting|every|for|until|before|around|and|then|@|,|-|–)$/i;
    for (let changed = true; changed; ) {
      changed = false;
      for (const m of this.original.matchAll(/\S+/g)) {
        const end = m.index + m[0].length;
        if (this.used[m.index] || this.quoted[m.index] || !connector.test(m[0])) continue;
        let next = end;
        while (next < this.original.length && !this.used[next] && /\s/.test(this.original[next]!)) next++;
        if (this.used[next] === 'when') {
          this.consume(m.index, end, 'when');
          changed = true;
        }
      }
    }
  }
}
