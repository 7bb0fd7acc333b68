'use client';

import { useRouter } from 'next/navigation';
import { Fragment, useCallback, useEffect, useRef } from 'react';
import { createShortcutMatcher, isTypingTarget, SHORTCUTS, type ShortcutContext } from '@/lib/shortcuts';
import { newTaskPathFrom } from '@/lib/use-projects';

/** Opens the overlay from elsewhere (e.g. a menu item) without sharing state with it. */
const OPEN_HELP = 'todo:shortcuts';

export function openShortcutHelp(): void {
  window.dispatchEvent(new Event(OPEN_HELP));
}

/** `g then t` as the overlay shows it: each key in a <kbd>. */
function Keys({ keys }: { keys: readonly string[] }) {
  return (
    <>
      {keys.map((key, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a fixed sequence, where a key may repeat (`g g`)
        <Fragment key={`${i}-${key}`}>
          {i > 0 && ' then '}
          <kbd>{key}</kbd>
        </Fragment>
      ))}
    </>
  );
}

/**
 * The global key handler and the `?` overlay listing the shortcuts, both from `SHORTCUTS`. The overlay is
 * a native modal <dialog>: the rest of the page is inert while it is open, Escape closes it, and focus goes
 * to its Close button and back to where it was afterwards.
 */
export function KeyboardShortcuts() {
  const router = useRouter();
  const dialog = useRef<HTMLDialogElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef<HTMLElement | null>(null);

  const openHelp = useCallback(() => {
    const d = dialog.current;
    if (!d || d.open) return;
    returnFocus.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    d.showModal();
    closeButton.current?.focus();
  }, []);
  const closeHelp = useCallback(() => {
    if (dialog.current?.open) dialog.current.close();
  }, []);

  useEffect(() => {
    const context: ShortcutContext = {
      go(path) {
        closeHelp();
        router.push(path);
      },
      newTask() {
        closeHelp();
        router.push(newTaskPathFrom(window.location.pathname));
      },
      focusSearch() {
        closeHelp();
        const search = document.getElementById('search');
        if (search) search.focus();
        else router.push('/?focus=search');
      },
      toggleHelp() {
        if (dialog.current?.open) closeHelp();
        else openHelp();
      },
    };
    const matcher = createShortcutMatcher(SHORTCUTS);
    function onKey(e: KeyboardEvent) {
      // Keys inside someone else's modal (a confirmation) belong to it.
      const target = e.target instanceof Element ? e.target : null;
      const modal = target?.closest('dialog[open], [aria-modal="true"]');
      if (modal && modal !== dialog.current) return;
      const shortcut = matcher.press(e, isTypingTarget(target as HTMLElement | null), e.timeStamp);
      if (!shortcut) return;
      e.preventDefault();
      shortcut.action(context);
    }
    window.addEventListener('keydown', onKey);
    window.addEventListener(OPEN_HELP, openHelp);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener(OPEN_HELP, openHelp);
    };
  }, [router, openHelp, closeHelp]);

  // Whichever way it closes (Escape, the button, a shortcut), focus goes back to where it was.
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    function restoreFocus() {
      const back = returnFocus.current;
      returnFocus.current = null;
      if (back?.isConnected) back.focus();
    }
    d.addEventListener('close', restoreFocus);
    return () => d.removeEventListener('close', restoreFocus);
  }, []);

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the backdrop click is the mouse's Escape, which the keyboard has natively
    <dialog
      ref={dialog}
      className="shortcuts"
      aria-modal="true"
      aria-labelledby="shortcuts-title"
      onClick={(e) => {
        // A click on the backdrop (the dialog box itself, outside its content) closes it.
        if (e.target === e.currentTarget) closeHelp();
      }}
    >
      <div className="shortcuts-body">
        <div className="shortcuts-head">
          <h2 id="shortcuts-title">Keyboard shortcuts</h2>
          <button ref={closeButton} type="button" className="btn btn-small" onClick={closeHelp}>
            Close
          </button>
        </div>
        <dl className="shortcuts-list">
          {SHORTCUTS.map((s) => (
            <div key={s.keys.join(' ')}>
              <dt>
                <Keys keys={s.keys} />
              </dt>
              <dd>{s.description}</dd>
            </div>
          ))}
        </dl>
        <p className="muted small">
          <kbd>Esc</kbd> closes this list. Shortcuts do nothing while you type in a field.
        </p>
      </div>
    </dialog>
  );
}
