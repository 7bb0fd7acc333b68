'use client';

import { useCallback, useMemo, useState } from 'react';
import type { Task } from './types';

/** Tasks kept off screen while their delete can still be undone (the list and the agenda views). */
export function useHiddenTasks() {
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const setShown = useCallback((id: string, shown: boolean) => {
    setHidden((h) => {
      const next = new Set(h);
      if (shown) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);
  return useMemo(
    () => ({
      visible: <T extends { id: string }>(tasks: T[]) => tasks.filter((t) => !hidden.has(t.id)),
      hide: (task: Task) => setShown(task.id, false),
      unhide: (task: Task) => setShown(task.id, true),
    }),
    [hidden, setShown],
  );
}
