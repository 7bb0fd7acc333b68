'use client';

import { useState } from 'react';
import type { Session } from '@/lib/types';

/**
 * Where the chat box (web/components/chat-box.tsx, owned by the quick-add/MCP work) is mounted.
 * Tasks changed from the chat refresh the list through the `todo:changed` window event.
 */
export function AssistantPanel({ session }: { session: Session }) {
  const [open, setOpen] = useState(false);
  return (
    <aside className={`assistant ${open ? 'open' : ''}`} aria-label="Assistant">
      <button
        type="button"
        className="btn assistant-toggle"
        aria-expanded={open}
        aria-controls="assistant-body"
        onClick={() => setOpen((o) => !o)}
      >
        {open ? 'Close assistant' : 'Assistant'}
      </button>
      <div id="assistant-body" hidden={!open} className="assistant-body">
        <p className="muted">
          The assistant is not installed in this build yet. Signed in as {session.user.email}.
        </p>
      </div>
    </aside>
  );
}

export function announceTasksChanged() {
  window.dispatchEvent(new Event('todo:changed'));
}
