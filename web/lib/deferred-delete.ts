import { api } from './api';
import { Nothing } from './types';

/**
 * "Delete with undo": the task disappears at once, the DELETE is sent when the undo window closes,
 * or right away (keepalive) if the page is left first, so nothing is lost either way.
 */
const pending = new Map<string, { token: string; timer: ReturnType<typeof setTimeout> }>();

function send(id: string) {
  const entry = pending.get(id);
  if (!entry) return Promise.resolve();
  clearTimeout(entry.timer);
  pending.delete(id);
  return api(`/tasks/${id}`, Nothing, { method: 'DELETE', token: entry.token, keepalive: true }).catch(
    () => {},
  );
}

if (typeof window !== 'undefined') {
  window.addEventListener('pagehide', () => {
    for (const id of [...pending.keys()]) void send(id);
  });
}

export function scheduleDelete(id: string, token: string, ms: number, onSent: () => void): void {
  const timer = setTimeout(() => void send(id).then(onSent), ms);
  pending.set(id, { token, timer });
}

export function cancelDelete(id: string): boolean {
  const entry = pending.get(id);
  if (!entry) return false;
  clearTimeout(entry.timer);
  pending.delete(id);
  return true;
}

export const isDeletePending = (id: string) => pending.has(id);
