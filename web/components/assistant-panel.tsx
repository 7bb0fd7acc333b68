'use client';

import { useState } from 'react';
import { API_ROOT, sessionClient } from '@/lib/api';
import type { SignedIn } from '@/lib/session';
import { announceTasksChanged } from '@/lib/task-events';
import { ChatBox } from './chat-box';

/** A floating panel holding the chat box (quick-add and commands); lists refresh when it changes tasks. */
export function AssistantPanel({ session }: { session: SignedIn }) {
  const [open, setOpen] = useState(false);
  return (
    <aside className={`assistant ${open ? 'open' : ''}`} aria-label="Assistant">
      <div id="assistant-body" hidden={!open} className="assistant-body">
        {open && (
          <ChatBox
            apiBase={API_ROOT}
            authFetch={sessionClient.fetchWithAccess}
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
