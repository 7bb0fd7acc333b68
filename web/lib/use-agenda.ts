'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api } from './api';
import { onTasksChanged } from './task-events';
import type { AgendaToday, AgendaUpcoming } from './types';

/** How many days Upcoming shows, today the first. */
export const UPCOMING_DAYS = 7;

const loaders = {
  today: () => api('GET /agenda/today'),
  upcoming: () => api('GET /agenda/upcoming', { query: { days: String(UPCOMING_DAYS) } }),
};

type Agenda<V extends keyof typeof loaders> = V extends 'today' ? AgendaToday : AgendaUpcoming;

/**
 * One of the everyday views (Today, Upcoming), in the user's zone as the server reckons it, loaded again
 * whenever tasks change on the page (as the task list is); an older answer arriving late is dropped.
 */
export function useAgenda<V extends keyof typeof loaders>(view: V) {
  const [data, setData] = useState<Agenda<V> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const requestId = useRef(0);

  const reload = useCallback(async () => {
    const id = ++requestId.current;
    try {
      const answer = (await loaders[view]()) as Agenda<V>;
      if (id !== requestId.current) return;
      setData(answer);
      setError(null);
    } catch (e) {
      if (id !== requestId.current) return;
      setError(e instanceof ApiError ? e.message : 'Could not load this view.');
    }
  }, [view]);

  useEffect(() => {
    void reload();
  }, [reload]);
  useEffect(() => onTasksChanged(() => void reload()), [reload]);

  return { data, error, reload };
}
