'use client';

import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import { api } from '@/lib/api';
import { announceTasksChanged } from '@/lib/task-events';
import type { Task } from '@/lib/types';
import { useFormSubmit } from '@/lib/use-form-submit';
import { useSubtasks } from '@/lib/use-subtasks';
import { useTaskActions } from '@/lib/use-task-actions';
import { FormError, FormField } from './form-field';

interface TaskFormSubtasksProps {
  parent: Task;
  /** The counts as this section last saw them, so the editor's Complete asks about open subtasks. */
  onCounts(counts: { total: number; done: number }): void;
}

/**
 * A top-level task's subtasks in its editor: each with its checkbox, a link to its own editor and a
 * delete (with undo); "Add subtask" (Enter adds, and stays there for the next one). A form of its own
 * beside the task's, so Enter here never saves the task.
 */
export function TaskFormSubtasks({ parent, onCounts }: TaskFormSubtasksProps) {
  const sub = useSubtasks(parent.id);
  const actions = useTaskActions({ onUpdated: sub.replace, onDeleted: sub.hide, onRestored: sub.unhide });
  const [title, setTitle] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const { submit, busy, error } = useFormSubmit(async () => {
    await api('POST /tasks', { body: { title, parent_id: parent.id } });
    setTitle('');
    input.current?.focus();
    // This section's list reloads on it, and so do the counts elsewhere (the sidebar's).
    announceTasksChanged();
  });

  const items = sub.items;
  // Numbers, not the list: a new array every render would report (and re-render the editor) forever.
  const total = items?.length ?? null;
  const done = items?.filter((t) => t.status === 'done').length ?? 0;
  useEffect(() => {
    if (total !== null) onCounts({ total, done });
  }, [total, done, onCounts]);

  return (
    <section className="card subtasks-editor" aria-labelledby="subtasks-heading">
      <h2 id="subtasks-heading">Subtasks</h2>
      {sub.error && (
        <p className="alert alert-error" role="alert">
          {sub.error}
        </p>
      )}
      {items === null && !sub.error && <p className="muted small">Loading subtasks…</p>}
      {items?.length === 0 && <p className="muted small">No subtasks yet.</p>}
      {items && items.length > 0 && (
        <ul className="subtask-items" aria-label={`Subtasks of ${parent.title}`}>
          {items.map((t) => {
            const isDone = t.status === 'done';
            return (
              <li key={t.id} className={isDone ? 'done' : undefined} data-testid="subtask">
                <input
                  type="checkbox"
                  checked={isDone}
                  onChange={() => void actions.setDone(t, !isDone)}
                  aria-label={isDone ? `Reopen ${t.title}` : `Complete ${t.title}`}
                />
                <Link href={`/tasks/${t.id}`} className="subtask-title">
                  {t.title}
                </Link>
                <button
                  type="button"
                  className="btn btn-small btn-danger"
                  onClick={() => actions.deleteWithUndo(t)}
                  aria-label={`Delete ${t.title}`}
                >
                  Delete
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <form className="row wrap subtask-add" onSubmit={submit}>
        <FormField
          ref={input}
          label="Add subtask"
          value={title}
          onChange={setTitle}
          maxLength={500}
          placeholder="A step of this task; Enter adds it"
          invalid={Boolean(error?.forField('title'))}
        />
        <button type="submit" className="btn btn-small" disabled={busy || !title.trim()}>
          Add
        </button>
        {error && <FormError>{error.forField('title') ?? error.message}</FormError>}
      </form>
    </section>
  );
}

/** At the top of a subtask's editor (or a new one's): whose step it is, one link away. */
export function SubtaskOf({ parentId, parent }: { parentId: string; parent: Task | null }) {
  return (
    <p className="subtask-of" data-testid="subtask-of">
      Subtask of <Link href={`/tasks/${parentId}`}>{parent ? parent.title : 'its parent task'}</Link>
    </p>
  );
}
