'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api } from './api';
import { onTasksChanged } from './task-events';
import type { Task } from './types';
import { useHiddenTasks } from './use-hidden-tasks';

/** One level of subtasks, and a parent has few: one page holds them all (the API's largest). */
const SUBTASKS_LIMIT = '200';

/**
 * A task's subtasks (`GET /tasks?parent=`), done ones too, in the order they were added: under a parent
 * in the list and in its editor. Reloads whenever tasks change on the page (a subtask completed, the
 * parent completed with them), and keeps subtasks hidden while their delete can be undone.
 */
export function useSubtasks(parentId: string) {
  const [items, setItems] = useState<Task[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const hidden = useHiddenTasks();
  // Only the newest request may change the list.
  const requestId = useRef(0);

  const load = useCallback(async () => {
    const id = ++requestId.current;
    try {
      const page = await api('GET /tasks', {
        query: { parent: parentId, sort_by: 'created_at', order: 'asc', limit: SUBTASKS_LIMIT },
      });
      if (id !== requestId.current) return;
      setItems(page.items);
      setError(null);
    } catch (e) {
      if (id !== requestId.current) return;
      setError(e instanceof ApiError ? e.message : 'Could not load the subtasks.');
    }
  }, [parentId]);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => onTasksChanged(() => void load()), [load]);

  const replace = useCallback((task: Task) => {
    setItems((prev) => prev?.map((t) => (t.id === task.id ? task : t)) ?? prev);
  }, []);

  return {
    items: items && hidden.visible(items),
    error,
    reload: load,
    replace,
    hide: hidden.hide,
    unhide: hidden.unhide,
  };
}

/** What a parent's row shows: "2/5", "2 of 5 subtasks done". */
export function subtaskCounts(task: Task): { done: number; total: number } | null {
  return task.subtasks && task.subtasks.total > 0 ? task.subtasks : null;
}

/** A subtask's parent (its title and link in the subtask's editor); null until loaded, or without one. */
export function useParentTask(parentId: string | null | undefined): Task | null {
  const [parent, setParent] = useState<Task | null>(null);
  useEffect(() => {
    if (!parentId) return;
    let current = true;
    api('GET /tasks/{id}', { params: { id: parentId } })
      .then((t) => {
        if (current) setParent(t);
      })
      .catch(() => {});
    return () => {
      current = false;
    };
  }, [parentId]);
  return parentId && parent?.id === parentId ? parent : null;
}
