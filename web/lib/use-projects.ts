'use client';

import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { ApiError, api } from './api';
import { onTasksChanged } from './task-events';
import type { Project } from './types';

/**
 * The user's projects, archived ones included, held once per tab: the sidebar (with its counts), the
 * rows' project names, the form's picker and the project pages all read the same list, so one change
 * shows everywhere. Every page mounts its own shell, so the list outlives them (no empty sidebar while
 * the next page loads) and is refreshed on each mount and whenever tasks change (`announceTasksChanged`,
 * the mechanism the task lists reload on), which keeps the open counts current.
 */
interface ProjectsState {
  items: Project[] | null;
  error: string | null;
}

let state: ProjectsState = { items: null, error: null };
const listeners = new Set<() => void>();
let running: Promise<void> | null = null;
let again = false;
let stopListening: (() => void) | null = null;

function publish(next: ProjectsState) {
  state = next;
  for (const listener of listeners) listener();
}

/**
 * Loads the list. A call while a load is in flight does not start a second one beside it but one more
 * after it, so a change made while the first was on its way is not missed.
 */
export function reloadProjects(): Promise<void> {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    try {
      do {
        again = false;
        try {
          const { items } = await api('GET /projects', { query: { archived: 'true' } });
          publish({ items, error: null });
        } catch (e) {
          publish({ ...state, error: e instanceof ApiError ? e.message : 'Could not load projects.' });
        }
      } while (again);
    } finally {
      // In the same step as the last `again` check: a `.finally()` would clear it a microtask later, and
      // a reader's effect run in between (React renders the published list first) would set `again`
      // after the check and be answered by no load at all.
      running = null;
    }
  })();
  return running;
}

/** Listens for task changes while anyone reads the list (one listener, however many readers). */
function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  stopListening ??= onTasksChanged(() => void reloadProjects());
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      stopListening?.();
      stopListening = null;
    }
  };
}

const SERVER: ProjectsState = { items: null, error: null };

export function useProjects() {
  const { items, error } = useSyncExternalStore(
    subscribe,
    () => state,
    () => SERVER,
  );
  // A page just mounted: fresh counts, unless a load is already on its way.
  useEffect(() => {
    if (!running) void reloadProjects();
  }, []);
  return useMemo(() => {
    const byId = new Map((items ?? []).map((p) => [p.id, p]));
    return {
      /** null until the first load. */
      projects: items,
      /** The sidebar's and the picker's: not archived, in order (the Inbox first). */
      active: (items ?? []).filter((p) => !p.archived_at),
      archived: (items ?? []).filter((p) => p.archived_at),
      inbox: items?.find((p) => p.is_inbox) ?? null,
      byId,
      error,
      reload: reloadProjects,
    };
  }, [items, error]);
}

/** Where a project's list lives: the Inbox has its own short path. */
export const projectPath = (p: Pick<Project, 'id' | 'is_inbox'>) =>
  p.is_inbox ? '/inbox' : `/projects/${p.id}`;

/** The form for a new task in `project` (it goes back to the project's list when saved). */
export const newTaskPath = (p: Pick<Project, 'id'>) => `/tasks/new?project=${encodeURIComponent(p.id)}`;

/** The new-task form from the page at `pathname`: in that project when it is a project's page. */
export function newTaskPathFrom(pathname: string): string {
  const id = /^\/projects\/([0-9a-f-]{36})$/i.exec(pathname)?.[1];
  return id ? newTaskPath({ id }) : '/tasks/new';
}
