'use client';

import { useCallback, useEffect, useRef } from 'react';
import { ApiError, api } from './api';
import { cancelDelete, scheduleDelete, UNDO_MS } from './deferred-delete';
import { pollUntil } from './series';
import { useAskSubtaskChoice } from './subtask-choice';
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
 * Undo, waiting for a recurring task's next occurrence, and asking a parent with open subtasks whether
 * they are done too.
 */
export function useTaskActions(handlers: TaskActionHandlers) {
  const toast = useToast();
  const ask = useAskSubtaskChoice();
  // The latest handlers, so a toast's Undo that runs later calls into the page as it is then.
  const on = useRef(handlers);
  useEffect(() => {
    on.current = handlers;
  });

  const setDone = useCallback(
    async function setDone(task: Task, done: boolean): Promise<void> {
      const params = { id: task.id };
      try {
        // A parent with open subtasks: ask first whether they are done too (Cancel: nothing changes).
        const open = done ? await openSubtasks(task) : [];
        const choice = open.length > 0 ? await ask(task, open.length) : 'leave';
        if (!choice) return;
        const completing = choice === 'complete' ? open : [];
        const updated = done
          ? await api('POST /tasks/{id}/complete', {
              params,
              query: completing.length ? { subtasks: 'complete' } : undefined,
            })
          : await api('POST /tasks/{id}/reopen', { params });
        on.current.onUpdated(updated);
        // Counts elsewhere on the page (the sidebar's) follow; lists reload to the same answer.
        announceTasksChanged();
        if (!done) return toast.show(`Reopened “${task.title}”.`);
        const undo = async () => {
          // The subtasks this completed open again with their parent.
          await Promise.all(completing.map((t) => api('POST /tasks/{id}/reopen', { params: { id: t.id } })));
          await setDone(updated, false);
        };
        toast.show(
          task.recurrence
            ? `Completed “${task.title}”. The next occurrence is on its way.`
            : completing.length
              ? `Completed “${task.title}” and ${subtasks(completing.length)}.`
              : `Completed “${task.title}”.`,
          { action: { label: 'Undo', run: () => void undo().catch(() => {}) } },
        );
        if (task.recurrence && task.series_id) void awaitNextOccurrence(task.series_id);
      } catch (e) {
        toast.show(e instanceof ApiError ? e.message : 'Could not update the task.');
      }
    },
    [toast, ask],
  );

  const deleteWithUndo = useCallback(
    (task: Task) => {
      on.current.onDeleted(task);
      scheduleDelete(task.id, UNDO_MS);
      // The server deletes a parent's subtasks with it (and an Undo keeps them all).
      const count = task.subtasks?.total ?? 0;
      toast.show(`Deleted “${task.title}”${count ? ` and ${subtasks(count)}` : ''}.`, {
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

const subtasks = (n: number) => `its ${n} subtask${n === 1 ? '' : 's'}`;

/**
 * A parent's subtasks still open, by the server (the list's count may be a moment old); no request for
 * a task without any, or all of whose subtasks were done when it was loaded.
 */
async function openSubtasks(task: Task): Promise<Task[]> {
  if (!task.subtasks || task.subtasks.done >= task.subtasks.total) return [];
  const page = await api('GET /tasks', {
    query: { parent: task.id, status: 'todo,in_progress', limit: '200' },
  });
  return page.items;
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
