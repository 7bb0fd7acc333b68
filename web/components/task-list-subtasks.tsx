'use client';

import type { Task } from '@/lib/types';
import { useSubtasks } from '@/lib/use-subtasks';
import { useTaskActions } from '@/lib/use-task-actions';
import { TaskRow } from './task-row';

/** The id of the list of a parent's subtasks, which its row's count button controls. */
export const subtasksId = (parent: Task) => `subtasks-${parent.id}`;

/**
 * A parent's subtasks, indented under its row in the list: each a normal row (complete, edit, delete
 * with undo), without the project, which is always the parent's. An item of the outer list of its own,
 * so a parent's row holds only its own text.
 */
export function TaskListSubtasks({ parent, zone }: { parent: Task; zone: string }) {
  const sub = useSubtasks(parent.id);
  const actions = useTaskActions({ onUpdated: sub.replace, onDeleted: sub.hide, onRestored: sub.unhide });
  return (
    <li className="subtask-group">
      <ul
        className="tasks subtasks"
        id={subtasksId(parent)}
        aria-label={`Subtasks of ${parent.title}`}
        aria-busy={sub.items === null}
      >
        {sub.items?.map((task) => (
          <TaskRow
            key={task.id}
            task={task}
            zone={zone}
            onToggle={(t) => void actions.setDone(t, t.status !== 'done')}
            onDelete={actions.deleteWithUndo}
          />
        ))}
      </ul>
      {sub.items === null && !sub.error && <p className="muted small">Loading subtasks…</p>}
      {sub.error && (
        <p className="alert alert-error" role="alert">
          {sub.error}{' '}
          <button type="button" className="btn btn-small" onClick={() => void sub.reload()}>
            Try again
          </button>
        </p>
      )}
    </li>
  );
}
