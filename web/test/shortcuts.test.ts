import { describe, expect, it } from 'vitest';
import {
  createShortcutMatcher,
  isTypingTarget,
  type KeyPress,
  SEQUENCE_TIMEOUT_MS,
  SHORTCUTS,
  type Shortcut,
  type ShortcutContext,
} from '../lib/shortcuts.ts';

const key = (k: string, mods: Partial<KeyPress> = {}): KeyPress => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...mods,
});

/** What each press completed, as the shortcut's keys joined ("g t"), or null. */
function run(presses: (string | KeyPress)[], { typing = false, gapMs = 100 } = {}) {
  const matcher = createShortcutMatcher();
  return presses.map((p, i) => {
    const found = matcher.press(typeof p === 'string' ? key(p) : p, typing, 1000 + i * gapMs);
    return found ? found.keys.join(' ') : null;
  });
}

/** What running a shortcut's action asks the browser to do. */
function effect(shortcut: Shortcut): string {
  let done = '';
  const context: ShortcutContext = {
    go: (path) => {
      done = `go ${path}`;
    },
    newTask: () => {
      done = 'new task';
    },
    focusSearch: () => {
      done = 'focus search';
    },
    toggleHelp: () => {
      done = 'toggle help';
    },
  };
  shortcut.action(context);
  return done;
}

describe('the shortcuts list', () => {
  it('has the frequent actions, each once', () => {
    const byKeys = new Map(SHORTCUTS.map((s) => [s.keys.join(' '), effect(s)]));
    expect(byKeys.size).toBe(SHORTCUTS.length);
    expect(Object.fromEntries(byKeys)).toMatchObject({
      '?': 'toggle help',
      n: 'new task',
      '/': 'focus search',
      'g t': 'go /',
      'g a': 'go /account',
      'g i': 'go /inbox',
      'g d': 'go /today',
      'g u': 'go /upcoming',
    });
    for (const s of SHORTCUTS) expect(s.description).not.toBe('');
  });

  it('never makes one shortcut the start of another (the shorter would always win)', () => {
    for (const a of SHORTCUTS) {
      for (const b of SHORTCUTS) {
        if (a === b) continue;
        const prefix = a.keys.length < b.keys.length && a.keys.every((k, i) => k === b.keys[i]);
        expect(prefix, `${a.keys.join(' ')} starts ${b.keys.join(' ')}`).toBe(false);
      }
    }
  });
});

describe('matching keys to shortcuts', () => {
  it('single keys', () => {
    expect(run(['?', 'n', '/'])).toEqual(['?', 'n', '/']);
  });

  it('sequences: g waits, its second key completes it', () => {
    expect(run(['g', 't', 'g', 'a'])).toEqual([null, 'g t', null, 'g a']);
  });

  it('a key that does not continue a sequence counts on its own', () => {
    expect(run(['g', 'n'])).toEqual([null, 'n']);
    expect(run(['g', 'g', 't'])).toEqual([null, null, 'g t']);
    expect(run(['g', 'x', 't'])).toEqual([null, null, null]);
  });

  it('keys that are no shortcut do nothing, and t alone is not g t', () => {
    expect(run(['x', 't', 'a', 'N', 'Enter'])).toEqual([null, null, null, null, null]);
  });

  it('forgets a sequence left waiting too long', () => {
    expect(run(['g', 't'], { gapMs: SEQUENCE_TIMEOUT_MS + 1 })).toEqual([null, null]);
    expect(run(['g', 't'], { gapMs: SEQUENCE_TIMEOUT_MS - 1 })).toEqual([null, 'g t']);
  });

  it('leaves keys with Ctrl, Alt or Meta to the browser, and they break a sequence', () => {
    expect(
      run([key('n', { ctrlKey: true }), key('/', { metaKey: true }), key('?', { altKey: true })]),
    ).toEqual([null, null, null]);
    expect(run(['g', key('t', { ctrlKey: true }), 't'])).toEqual([null, null, null]);
    // Shift is how `?` is typed, so it is no modifier here.
    expect(run([key('?', { shiftKey: true })])).toEqual(['?']);
  });

  it('ignores everything typed into a field', () => {
    expect(run(['?', 'n', '/', 'g', 't'], { typing: true })).toEqual([null, null, null, null, null]);
    const matcher = createShortcutMatcher();
    expect(matcher.press(key('g'), false, 0)).toBeNull();
    expect(matcher.pending()).toBe(true);
    expect(matcher.press(key('t'), true, 10)).toBeNull(); // typed: the g is forgotten
    expect(matcher.pending()).toBe(false);
    expect(matcher.press(key('t'), false, 20)).toBeNull();
  });

  it('ignores a held key repeating and keys mid-composition', () => {
    expect(run(['?', key('?', { repeat: true }), key('n', { isComposing: true })])).toEqual([
      '?',
      null,
      null,
    ]);
  });

  it('matches a list of its own (adding a shortcut is one entry)', () => {
    const tags: Shortcut = {
      keys: ['g', 'x'],
      description: 'Go to the tags',
      action: (c) => c.go('/tags'),
    };
    const matcher = createShortcutMatcher([...SHORTCUTS, tags]);
    expect(matcher.press(key('g'), false, 0)).toBeNull();
    expect(matcher.press(key('x'), false, 10)).toBe(tags);
  });
});

describe('what counts as typing', () => {
  it.each([
    [{ tagName: 'INPUT', type: 'text' }, true],
    [{ tagName: 'INPUT', type: 'search' }, true],
    [{ tagName: 'INPUT', type: 'email' }, true],
    [{ tagName: 'INPUT' }, true],
    [{ tagName: 'TEXTAREA' }, true],
    [{ tagName: 'SELECT' }, true],
    [{ tagName: 'DIV', isContentEditable: true }, true],
    [{ tagName: 'INPUT', type: 'checkbox' }, false],
    [{ tagName: 'INPUT', type: 'radio' }, false],
    [{ tagName: 'INPUT', type: 'submit' }, false],
    [{ tagName: 'BUTTON' }, false],
    [{ tagName: 'A' }, false],
    [{ tagName: 'BODY', isContentEditable: false }, false],
    [null, false],
  ])('%j → %s', (target, typing) => {
    expect(isTypingTarget(target)).toBe(typing);
  });
});
