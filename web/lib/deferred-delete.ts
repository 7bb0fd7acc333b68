import { api } from './api';
import { announceTasksChanged } from './task-events';

/**
 * "Delete with undo": the task disappears at once, the DELETE is sent when the undo window closes,
 * or right away (keepalive) if the page is left first, so nothing is lost either way.
 */

/** How long a deleted task can be brought back (the toast's Undo stays that long). */
export const UNDO_MS = 6000;

const pending = new Map<string, { timer: ReturnType<typeof setTimeout> }>();

function send(id: string) {
  const entry = pending.get(id);
  if (!entry) return Promise.resolve();
  clearTimeout(entry.timer);
  pending.delete(id);
  // Once it is gone for good, counts (the sidebar's) and other lists follow.
  return api('DELETE /tasks/{id}', { params: { id }, keepalive: true })
    .then(announceTasksChanged)
    .catch(() => {});
}

if (typeof window !== 'undefined') {
  window.addEventListener('pagehide', () => {
    for (const id of [...pending.keys()]) void send(id);
  });
}

export function scheduleDelete(id: string, ms = UNDO_MS): void {
  const timer = setTimeout(() => void send(id), ms);
  pending.set(id, { timer });
}

export function cancelDelete(id: string): boolean {
  const entry = pending.get(id);
  if (!entry) return false;
  clearTimeout(entry.timer);
  pending.delete(id);
  return true;
}
