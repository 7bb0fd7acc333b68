/**
 * The app's keyboard shortcuts, declared once: the key handler (`createShortcutMatcher`) and the `?`
 * overlay (components/keyboard-shortcuts.tsx) are both built from `SHORTCUTS`, so the list on screen is
 * always the list that works. Keys are `KeyboardEvent.key` values; several keys are a sequence pressed one
 * after the other (Gmail's and GitHub's "g then …"). No DOM here, so the matching is unit-tested in Node.
 */

/** What a shortcut can do; the component supplies the browser side (router, focus, the overlay). */
export interface ShortcutContext {
  go(path: string): void;
  /** The new-task form, in the project on screen when there is one. */
  newTask(): void;
  focusSearch(): void;
  toggleHelp(): void;
}

export interface Shortcut {
  /** One key, or a sequence of keys, as `KeyboardEvent.key` spells them (`?` is Shift+/ already). */
  keys: readonly string[];
  description: string;
  action(context: ShortcutContext): void;
}

/** Adding a shortcut is one line here; the handler and the overlay pick it up. */
export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ['?'], description: 'Show or hide this list of shortcuts', action: (c) => c.toggleHelp() },
  { keys: ['n'], description: 'New task (in the project on screen)', action: (c) => c.newTask() },
  { keys: ['/'], description: 'Search tasks', action: (c) => c.focusSearch() },
  { keys: ['g', 't'], description: 'Go to the tasks list', action: (c) => c.go('/') },
  { keys: ['g', 'i'], description: 'Go to the Inbox', action: (c) => c.go('/inbox') },
  { keys: ['g', 'd'], description: 'Go to Today (d for day)', action: (c) => c.go('/today') },
  { keys: ['g', 'u'], description: 'Go to Upcoming', action: (c) => c.go('/upcoming') },
  { keys: ['g', 'a'], description: 'Go to your account', action: (c) => c.go('/account') },
];

/** How long the next key of a sequence may keep us waiting after its first. */
export const SEQUENCE_TIMEOUT_MS = 1500;

/** The parts of a keydown the matcher looks at (a `KeyboardEvent` has them all). */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** Not a modifier here: it is how `?` is typed, and `KeyboardEvent.key` already tells `N` from `n`. */
  shiftKey?: boolean;
  /** Auto-repeat of a held key: holding `?` must not make the overlay flicker. */
  repeat?: boolean;
  /** Mid-composition in an input method (a dead key, CJK input). */
  isComposing?: boolean;
}

/** The parts of an event target that tell whether the user is typing into it. */
export interface TargetLike {
  tagName?: string;
  type?: string;
  isContentEditable?: boolean;
}

/** Input types that take no text: a letter pressed on a checkbox is still a shortcut. */
const NON_TEXT_INPUTS = new Set([
  'checkbox',
  'radio',
  'button',
  'submit',
  'reset',
  'image',
  'range',
  'color',
]);

/** Whether keys pressed on `target` are text for it rather than shortcuts (select: type-ahead). */
export function isTypingTarget(target: TargetLike | null | undefined): boolean {
  if (!target) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName?.toUpperCase();
  if (tag === 'INPUT') return !NON_TEXT_INPUTS.has((target.type ?? 'text').toLowerCase());
  return tag === 'TEXTAREA' || tag === 'SELECT';
}

const sameKeys = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((k, i) => k === b[i]);
const startsWith = (keys: readonly string[], prefix: readonly string[]) =>
  prefix.length < keys.length && prefix.every((k, i) => k === keys[i]);

export interface ShortcutMatcher {
  /**
   * Feeds one keydown; returns the shortcut it completes, or null (ignored, or the start of a sequence).
   * `typing`: the event's target takes text (see `isTypingTarget`); `now` in milliseconds.
   */
  press(event: KeyPress, typing: boolean, now: number): Shortcut | null;
  /** Whether the keys so far are the start of a sequence (a `g` waiting for its second key). */
  pending(): boolean;
}

/**
 * The key handler's state machine. A key with Ctrl, Alt or Meta, or typed into a text field, is left to
 * the browser and breaks any sequence in progress. A key that does not continue a sequence starts afresh
 * (`g` then `n` is `n`), and a sequence left waiting longer than `timeoutMs` is forgotten.
 */
export function createShortcutMatcher(
  shortcuts: readonly Shortcut[] = SHORTCUTS,
  timeoutMs = SEQUENCE_TIMEOUT_MS,
): ShortcutMatcher {
  let keys: string[] = [];
  let lastAt = Number.NEGATIVE_INFINITY;

  function match(candidate: string[]): Shortcut | null {
    const found = shortcuts.find((s) => sameKeys(s.keys, candidate));
    if (found) {
      keys = [];
      return found;
    }
    keys = shortcuts.some((s) => startsWith(s.keys, candidate)) ? candidate : [];
    return null;
  }

  return {
    press(event, typing, now) {
      if (event.ctrlKey || event.metaKey || event.altKey || typing || event.isComposing) {
        keys = [];
        return null;
      }
      if (event.repeat) return null;
      if (now - lastAt > timeoutMs) keys = [];
      lastAt = now;
      if (keys.length === 0) return match([event.key]);
      return match([...keys, event.key]) ?? (keys.length === 0 ? match([event.key]) : null);
    },
    pending: () => keys.length > 0,
  };
}
