'use client';

import Link from 'next/link';
import { useSession } from '@/lib/session';
import { formatDue } from '@/lib/time';
import { LABELS, type Project, type Task } from '@/lib/types';
import { personName, useMembers } from '@/lib/use-members';
import { subtaskCounts } from '@/lib/use-subtasks';
import { ProjectPill } from './project-dot';

export function isOverdue(task: Task, now = Date.now()): boolean {
  return task.status !== 'done' && task.due_at !== null && new Date(task.due_at).getTime() < now;
}

interface TaskRowProps {
  task: Task;
  zone: string;
  onToggle(task: Task): void;
  onDelete(task: Task): void;
  /** The task's project, named on the row (left out on a project's own list, where it goes without saying). */
  project?: Project;
  /** A parent's subtasks shown under it or not: its count becomes the disclosure button. */
  disclosure?: SubtaskDisclosure;
}

export interface SubtaskDisclosure {
  expanded: boolean;
  /** The id of the list of subtasks it shows and hides. */
  controls: string;
  onToggle(): void;
}

/** One task in the list: overdue and high-priority tasks carry a colour bar and a word, not colour alone. */
export function TaskRow({ task, zone, onToggle, onDelete, project, disclosure }: TaskRowProps) {
  const overdue = isOverdue(task);
  const done = task.status === 'done';
  const classes = ['task', `prio-${task.priority}`, overdue ? 'overdue' : '', done ? 'done' : '']
    .filter(Boolean)
    .join(' ');
  return (
    <li className={classes} data-testid="task-row" data-task-id={task.id}>
      <input
        type="checkbox"
        className="task-check"
        checked={done}
        onChange={() => onToggle(task)}
        aria-label={done ? `Reopen ${task.title}` : `Complete ${task.title}`}
      />
      <div className="task-main">
        <Link href={`/tasks/${task.id}`} className="task-title">
          {task.title}
        </Link>
        <div className="task-meta">
          <SubtaskCount task={task} disclosure={disclosure} />
          <span className={`pill prio prio-${task.priority}`} data-testid="task-priority">
            {LABELS.priority[task.priority]}
          </span>
          {task.status !== 'todo' && <span className="pill status">{LABELS.status[task.status]}</span>}
          {task.due_at && (
            <span className={`due ${overdue ? 'is-overdue' : ''}`}>
              {overdue && <strong>Overdue · </strong>}
              <time dateTime={task.due_at}>{formatDue(task.due_at, zone)}</time>
            </span>
          )}
          {task.recurrence && task.series_id && (
            <Link href={`/series/${task.series_id}`} className="pill repeat" title={task.recurrence.rule}>
              ↻ repeats<span className="sr-only">: view the series of {task.title}</span>
            </Link>
          )}
          {task.reminders.length > 0 && (
            <span className="pill">
              {task.reminders.length} reminder{task.reminders.length === 1 ? '' : 's'}
            </span>
          )}
          {task.assignee_id && <AssigneePill task={task} />}
          {project && <ProjectPill project={project} />}
          {task.tags.map((t) => (
            <span key={t.id} className="pill tag" data-testid="task-tag">
              #{t.name}
            </span>
          ))}
        </div>
      </div>
      <div className="task-actions">
        <Link href={`/tasks/${task.id}`} className="btn btn-small" aria-label={`Edit ${task.title}`}>
          Edit
        </Link>
        <button
          type="button"
          className="btn btn-small btn-danger"
          onClick={() => onDelete(task)}
          aria-label={`Delete ${task.title}`}
        >
          Delete
        </button>
      </div>
    </li>
  );
}

/** Whom a task is assigned to: "you", or the member's email (loaded once per project for the list). */
function AssigneePill({ task }: { task: Task }) {
  const me = useSession().session?.user.id;
  const members = useMembers(task.project_id);
  const member = members?.find((m) => m.user_id === task.assignee_id);
  const name = task.assignee_id === me ? 'you' : member ? personName(member, me) : 'a member';
  return (
    <span className="pill assignee" data-testid="task-assignee">
      <span aria-hidden="true">👤 </span>
      <span className="sr-only">Assigned to </span>
      {name}
    </span>
  );
}

/**
 * A parent's done count ("2/5", read as "2 of 5 subtasks done"); where the list can show the subtasks,
 * the count is the button that does (aria-expanded).
 */
function SubtaskCount({ task, disclosure }: { task: Task; disclosure?: SubtaskDisclosure }) {
  const counts = subtaskCounts(task);
  if (!counts) return null;
  const content = (
    <>
      <span aria-hidden="true" data-testid="subtask-count">
        {counts.done}/{counts.total}
      </span>
      <span className="sr-only">
        {task.title}: {counts.done} of {counts.total} subtasks done
      </span>
    </>
  );
  if (!disclosure) return <span className="pill subtask-count">{content}</span>;
  return (
    <button
      type="button"
      className="pill as-button subtask-count"
      aria-expanded={disclosure.expanded}
      aria-controls={disclosure.expanded ? disclosure.controls : undefined}
      onClick={disclosure.onToggle}
      data-testid="subtask-toggle"
    >
      <span aria-hidden="true" className="subtask-chevron">
        {disclosure.expanded ? '▾' : '▸'}
      </span>
      {content}
    </button>
  );
}
