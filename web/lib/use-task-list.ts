'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api } from './api';
import { apiQueryFromView, type ListView, paramsFromView } from './list-query';
import { onTasksChanged } from './task-events';
import type { Task } from './types';
import { useHiddenTasks } from './use-hidden-tasks';

const PAGE_SIZE = 25;

/**
 * The tasks a list view shows: the first page, more on demand (keyset cursor), a reload whenever tasks
 * change elsewhere on the page, and tasks hidden while their delete can still be undone. `project` (an id)
 * fixes the list to one project's tasks (a project's page), whatever the view's filters.
 */
export function useTaskList(view: ListView, zone: string, project?: string) {
  const [items, setItems] = useState<Task[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  // The view (as its query string) that the shown items were loaded for: lets a reader — and the
  // browser tests — tell a finished re-fetch from the old list still on screen after the URL changed.
  const [shownView, setShownView] = useState<string | null>(null);
  const hidden = useHiddenTasks();
  // Only the newest request may change the list: an older answer arriving late is dropped.
  const requestId = useRef(0);

  const load = useCallback(
    async (after: string | null) => {
      const id = ++requestId.current;
      setLoading(true);
      setError(null);
      try {
        const page = await api('GET /tasks', {
          query: {
            ...apiQueryFromView(view, zone),
            project,
            limit: String(PAGE_SIZE),
            cursor: after ?? undefined,
          },
        });
        if (id !== requestId.current) return;
        setItems((prev) => (after ? [...prev, ...page.items] : page.items));
        setCursor(page.next_cursor);
        setShownView(paramsFromView(view));
      } catch (e) {
        if (id !== requestId.current) return;
        setError(e instanceof ApiError ? e.message : 'Could not load tasks.');
      } finally {
        if (id === requestId.current) setLoading(false);
      }
    },
    [view, zone, project],
  );

  useEffect(() => {
    void load(null);
  }, [load]);
  useEffect(() => onTasksChanged(() => void load(null)), [load]);

  const reload = useCallback(() => void load(null), [load]);
  const loadMore = useCallback(() => {
    if (cursor) void load(cursor);
  }, [cursor, load]);
  const replace = useCallback((task: Task) => {
    setItems((prev) => prev.map((t) => (t.id === task.id ? task : t)));
  }, []);

  return {
    items: hidden.visible(items),
    hasMore: cursor !== null,
    loading,
    error,
    shownView,
    reload,
    loadMore,
    replace,
    hide: hidden.hide,
    unhide: hidden.unhide,
  };
}
