'use client';

import { useCallback, useSyncExternalStore } from 'react';

/**
 * Which parents show their subtasks in the task list, held once per tab (like the projects list): the
 * rows are re-fetched on every change, and the user may go to an editor and back, and an open parent
 * stays open through both.
 */
let expanded: ReadonlySet<string> = new Set();
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const snapshot = () => expanded;
const SERVER: ReadonlySet<string> = new Set();

export function useExpandedTasks() {
  const open = useSyncExternalStore(subscribe, snapshot, () => SERVER);
  const toggle = useCallback((id: string) => {
    const next = new Set(expanded);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    expanded = next;
    for (const listener of listeners) listener();
  }, []);
  return { isOpen: (id: string) => open.has(id), toggle };
}
