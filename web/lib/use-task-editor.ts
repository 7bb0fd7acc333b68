'use client';

import { useCallback, useEffect, useState } from 'react';
import { ApiError, api } from './api';
import { emptyForm, type FormState, formFromTask } from './task-form-state';
import type { Task } from './types';

/**
 * The editor's state: a blank form for a new task (in `project` when given: the project page it was
 * opened from), or the task (and its fields) once loaded.
 */
export function useTaskEditor(taskId: string | undefined, zone: string, project?: string) {
  const [form, setForm] = useState<FormState>(() => ({ ...emptyForm(), projectId: project ?? '' }));
  const [task, setTask] = useState<Task | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const set = useCallback((patch: Partial<FormState>) => setForm((f) => ({ ...f, ...patch })), []);

  useEffect(() => {
    if (!taskId) return;
    api('GET /tasks/{id}', { params: { id: taskId } })
      .then((t) => {
        setTask(t);
        setForm(formFromTask(t, zone));
      })
      .catch((e) =>
        setLoadError(
          e instanceof ApiError && e.status === 404
            ? 'This task does not exist (or was deleted).'
            : e instanceof ApiError
              ? e.message
              : 'Could not load the task.',
        ),
      );
  }, [taskId, zone]);

  /** The server's task after a complete or reopen: the status field follows it, the rest stays as edited. */
  const updated = useCallback(
    (t: Task) => {
      setTask(t);
      set({ status: t.status });
    },
    [set],
  );

  return { form, set, task, updated, loadError };
}
