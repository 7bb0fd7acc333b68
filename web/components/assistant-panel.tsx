'use client';

import { useState } from 'react';
import { API_ROOT } from '@/lib/api';
import type { Session } from '@/lib/types';
import { ChatBox } from './chat-box';

/** Tells open lists that tasks changed elsewhere on the page (the chat box, a notification). */
export function announceTasksChanged() {
  window.dispatchEvent(new Event('todo:changed'));
}

/** A floating panel holding the chat box (quick-add and commands); lists refresh when it changes tasks. */
export function AssistantPanel({ session }: { session: Session }) {
  const [open, setOpen] = useState(false);
  return (
    <aside className={`assistant ${open ? 'open' : ''}`} aria-label="Assistant">
      <div id="assistant-body" hidden={!open} className="assistant-body">
        {open && (
          <ChatBox
            apiBase={API_ROOT}
            token={session.token}
            timeZone={session.user.time_zone}
            onChange={announceTasksChanged}
          />
        )}
      </div>
      <button
        type="button"
        className="btn assistant-toggle"
        aria-expanded={open}
        aria-controls="assistant-body"
        onClick={() => setOpen((o) => !o)}
      >
        {open ? 'Close assistant' : 'Assistant'}
      </button>
    </aside>
  );
}
