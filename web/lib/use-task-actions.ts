'use client';

import { useCallback, useEffect, useRef } from 'react';
import { ApiError, api } from './api';
import { cancelDelete, scheduleDelete, UNDO_MS } from './deferred-delete';
import { pollUntil } from './series';
import { announceTasksChanged } from './task-events';
import { useToast } from './toast';
import type { Task } from './types';

/** What the page does when an action changes what it shows. */
export interface TaskActionHandlers {
  /** The task as the server now has it (completed, reopened, or back after an undo). */
  onUpdated(task: Task): void;
  /** A delete began: the task should disappear (its DELETE waits for the undo window). */
  onDeleted(task: Task): void;
  /** The delete was undone in time: the task should come back. */
  onRestored(task: Task): void;
}

/**
 * Complete / reopen and delete-with-undo, the same from the list and from the editor: the toast, its
 * Undo, and waiting for a recurring task's next occurrence.
 */
export function useTaskActions(handlers: TaskActionHandlers) {
  const toast = useToast();
  // The latest handlers, so a toast's Undo that runs later calls into the page as it is then.
  const on = useRef(handlers);
  useEffect(() => {
    on.current = handlers;
  });

  const setDone = useCallback(
    async function setDone(task: Task, done: boolean): Promise<void> {
      const params = { id: task.id };
      try {
        const updated = done
          ? await api('POST /tasks/{id}/complete', { params })
          : await api('POST /tasks/{id}/reopen', { params });
        on.current.onUpdated(updated);
        // Counts elsewhere on the page (the sidebar's) follow; lists reload to the same answer.
        announceTasksChanged();
        if (!done) return toast.show(`Reopened “${task.title}”.`);
        toast.show(
          task.recurrence
            ? `Completed “${task.title}”. The next occurrence is on its way.`
            : `Completed “${task.title}”.`,
          { action: { label: 'Undo', run: () => void setDone(updated, false) } },
        );
        if (task.recurrence && task.series_id) void awaitNextOccurrence(task.series_id);
      } catch (e) {
        toast.show(e instanceof ApiError ? e.message : 'Could not update the task.');
      }
    },
    [toast],
  );

  const deleteWithUndo = useCallback(
    (task: Task) => {
      on.current.onDeleted(task);
      scheduleDelete(task.id, UNDO_MS);
      toast.show(`Deleted “${task.title}”.`, {
        ms: UNDO_MS,
        action: {
          label: 'Undo',
          run: () => {
            if (cancelDelete(task.id)) on.current.onRestored(task);
          },
        },
      });
    },
    [toast],
  );

  return { setDone, deleteWithUndo };
}

/**
 * A recurring task's next occurrence is created by an event function, which may be scaled to zero (a cold
 * start plus KEDA's polling): ask until it exists, backing off, then tell the open lists once.
 */
async function awaitNextOccurrence(seriesId: string): Promise<void> {
  const arrived = await pollUntil(async () => {
    const open = await api('GET /tasks', {
      query: { series_id: seriesId, status: 'todo,in_progress', limit: '1' },
    });
    return open.items.length > 0;
  });
  if (arrived) announceTasksChanged();
}
