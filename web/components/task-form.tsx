'use client';

import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { type ApiError, api, toApiError } from '@/lib/api';
import type { SignedIn } from '@/lib/session';
import { canWriteTasks } from '@/lib/sharing';
import { bodyOf, dueAtOf, type FormState, ruleOf } from '@/lib/task-form-state';
import { useToast } from '@/lib/toast';
import { LABELS, PRIORITIES, type Priority, type Project, STATUSES, type TaskStatus } from '@/lib/types';
import { useMembers } from '@/lib/use-members';
import { projectPath, useProjects } from '@/lib/use-projects';
import { useParentTask } from '@/lib/use-subtasks';
import { useTags } from '@/lib/use-tags';
import { useTaskActions } from '@/lib/use-task-actions';
import { useTaskEditor } from '@/lib/use-task-editor';
import { RecurrenceBuilder } from './recurrence-builder';
import { RemindersEditor } from './reminders-editor';
import { TagPicker } from './tag-picker';
import { SubtaskOf, TaskFormSubtasks } from './task-form-subtasks';
import { TaskSide } from './task-side';

/** Create or edit a task: every field the API takes, validated by the API and shown per field. */
export function TaskForm({ session, taskId }: { session: SignedIn; taskId?: string }) {
  const router = useRouter();
  const toast = useToast();
  const zone = session.user.time_zone;
  // A new task opened from a project's page goes into that project, and back to its list when saved.
  const search = useSearchParams();
  const fromProject = search.get('project') ?? undefined;
  const { form, set, task, updated, loadError } = useTaskEditor(taskId, zone, fromProject);
  // A subtask (or a new one, `?parent=`): in its parent's project, never recurring, saved back to it.
  const parentId = taskId ? task?.parent_id : search.get('parent');
  const parent = useParentTask(parentId);
  // The subtask counts as the Subtasks section last loaded them (the task's own are from its load).
  const [subtaskCounts, setSubtaskCounts] = useState<{ total: number; done: number } | null>(null);
  const current = task && subtaskCounts && task.subtasks ? { ...task, subtasks: subtaskCounts } : task;
  const { tags } = useTags();
  const projects = useProjects();
  const from = fromProject ? projects.byId.get(fromProject) : undefined;
  const back = parentId ? `/tasks/${parentId}` : !taskId && from ? projectPath(from) : '/';
  const actions = useTaskActions({
    onUpdated: updated,
    onDeleted: () => router.push(parentId ? `/tasks/${parentId}` : '/'),
    onRestored: (t) => router.push(`/tasks/${t.id}`),
  });
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const titleRef = useRef<HTMLInputElement>(null);
  // A new task starts in its title, so `n` then typing just works.
  useEffect(() => {
    if (!taskId) titleRef.current?.focus();
  }, [taskId]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const { project_id, ...fields } = bodyOf(form, zone, task ?? undefined);
    const body = parentId ? fields : { ...fields, project_id };
    try {
      const saved = taskId
        ? await api('PATCH /tasks/{id}', { params: { id: taskId }, body })
        : await api('POST /tasks', { body: parentId ? { ...body, parent_id: parentId } : body });
      toast.show(taskId ? `Saved “${saved.title}”.` : `Created “${saved.title}”.`);
      router.push(back);
    } catch (err) {
      setError(toApiError(err));
      setBusy(false);
    }
  }

  if (loadError) {
    return (
      <div className="alert alert-error" role="alert">
        <p>{loadError}</p>
        <Link href="/">Back to tasks</Link>
      </div>
    );
  }
  if (taskId && !task) return <p className="muted">Loading task…</p>;

  const field = (name: string) => error?.forField(name);
  const dueAt = dueAtOf(form, zone);
  const noun = parentId ? 'subtask' : 'task';
  return (
    <div className="editor">
      <div className="editor-main">
        <form className="card task-form" onSubmit={submit} noValidate aria-labelledby="form-heading">
          <h1 id="form-heading">{taskId ? `Edit ${noun}` : `New ${noun}`}</h1>
          {parentId && <SubtaskOf parentId={parentId} parent={parent} />}
          {error && (
            <p className="alert alert-error" role="alert">
              {error.fields.length ? 'Please fix the highlighted fields.' : error.message}
            </p>
          )}
          <label className="field">
            <span>Title</span>
            <input
              id="title"
              name="title"
              required
              ref={titleRef}
              value={form.title}
              onChange={(e) => set({ title: e.target.value })}
              aria-invalid={Boolean(field('title'))}
              aria-describedby={field('title') ? 'title-error' : undefined}
            />
            {field('title') && (
              <small id="title-error" className="field-error">
                {field('title')}
              </small>
            )}
          </label>
          <label className="field">
            <span>Description</span>
            <textarea
              name="description"
              rows={3}
              value={form.description}
              onChange={(e) => set({ description: e.target.value })}
            />
          </label>
          <div className="row wrap">
            <label className="field">
              <span>Priority</span>
              <select
                id="priority"
                value={form.priority}
                onChange={(e) => set({ priority: e.target.value as Priority })}
              >
                {PRIORITIES.map((p) => (
                  <option key={p} value={p}>
                    {LABELS.priority[p]}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Status</span>
              <select
                id="status"
                value={form.status}
                onChange={(e) => set({ status: e.target.value as TaskStatus })}
              >
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {LABELS.status[s]}
                  </option>
                ))}
              </select>
            </label>
            {!parentId && (
              <ProjectPicker
                value={form.projectId}
                onChange={(projectId) => set({ projectId })}
                current={task ? projects.byId.get(task.project_id) : undefined}
                error={field('project_id')}
              />
            )}
          </div>
          <AssigneePicker
            projectId={form.projectId || task?.project_id || projects.inbox?.id}
            value={form.assigneeId}
            onChange={(assigneeId) => set({ assigneeId })}
            me={session.user.id}
            error={field('assignee_id')}
          />
          <TagPicker value={form.tags} onChange={(names) => set({ tags: names })} available={tags ?? []} />
          <DueFields form={form} set={set} zone={zone} error={field('due_at')} />
          {!parentId && (
            <RecurrenceBuilder
              draft={form.recurrence}
              onChange={(recurrence) => set({ recurrence })}
              rule={ruleOf(form, zone)}
              dueAt={dueAt}
              zone={zone}
              error={field('recurrence')}
            />
          )}
          <RemindersEditor
            value={form.reminders}
            onChange={(reminders) => set({ reminders })}
            disabled={!form.dueDate}
            error={field('reminders')}
          />
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? 'Saving…' : taskId ? 'Save changes' : `Create ${noun}`}
            </button>
            <Link href={back} className="btn">
              Cancel
            </Link>
          </div>
        </form>
        {current && !current.parent_id && <TaskFormSubtasks parent={current} onCounts={setSubtaskCounts} />}
      </div>

      {current && (
        <TaskSide
          task={current}
          zone={zone}
          onDone={(done) => void actions.setDone(current, done)}
          onDelete={() => actions.deleteWithUndo(current)}
        />
      )}
    </div>
  );
}

interface ProjectPickerProps {
  /** '' until chosen: shown as the Inbox, where the server puts a task without one. */
  value: string;
  onChange(projectId: string): void;
  /** The edited task's project: listed even when archived (where the task can stay). */
  current?: Project;
  error?: string;
}

/** Which project the task is in: the open projects in the sidebar's order, the Inbox first. */
function ProjectPicker({ value, onChange, current, error }: ProjectPickerProps) {
  const { active, inbox } = useProjects();
  // Not the projects the user only views (they cannot add to them), unless it is the one chosen (the
  // task's own, or the page's it was opened from): shown as it is, the server's 403 says why on save.
  const writable = active.filter((p) => canWriteTasks(p) || p.id === current?.id || p.id === value);
  const options = current?.archived_at ? [...writable, current] : writable;
  return (
    <label className="field">
      <span>Project</span>
      <select
        id="project"
        value={value || inbox?.id || ''}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={Boolean(error)}
        aria-describedby={error ? 'project-error' : undefined}
      >
        {options.length === 0 && <option value="">Inbox</option>}
        {options.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
            {p.archived_at ? ' (archived)' : ''}
          </option>
        ))}
      </select>
      {error && (
        <small id="project-error" className="field-error">
          {error}
        </small>
      )}
    </label>
  );
}

interface AssigneePickerProps {
  projectId: string | undefined;
  /** '' for nobody. */
  value: string;
  onChange(assigneeId: string): void;
  me: string;
  error?: string;
}

/**
 * Whom the task is assigned to (they get its reminders): shown for a project with other members — its
 * owners and editors, "Nobody" first — or when the task already has an assignee.
 */
function AssigneePicker({ projectId, value, onChange, me, error }: AssigneePickerProps) {
  const members = useMembers(projectId);
  const options = (members ?? []).filter((m) => canWriteTasks(m) || m.user_id === value);
  if (options.length < 2 && !value) return null;
  return (
    <div>
      <label className="field">
        <span>Assigned to</span>
        <select
          id="assignee"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={Boolean(error)}
          aria-describedby={error ? 'assignee-hint assignee-error' : 'assignee-hint'}
        >
          <option value="">Nobody</option>
          {options.map((m) => (
            <option key={m.user_id} value={m.user_id}>
              {m.user_id === me ? `Me (${m.email})` : m.email}
            </option>
          ))}
          {value && !options.some((m) => m.user_id === value) && <option value={value}>Someone else</option>}
        </select>
      </label>
      <small id="assignee-hint" className="muted">
        Reminders go to whoever it is assigned to.
      </small>
      {error && (
        <small id="assignee-error" className="field-error">
          {error}
        </small>
      )}
    </div>
  );
}

interface DueFieldsProps {
  form: FormState;
  set(patch: Partial<FormState>): void;
  zone: string;
  error?: string;
}

/** The due date and time, wall-clock in the user's zone; picking a date alone suggests 09:00. */
function DueFields({ form, set, zone, error }: DueFieldsProps) {
  return (
    <fieldset>
      <legend>Due</legend>
      <div className="row wrap">
        <label className="field">
          <span>Date</span>
          <input
            id="due-date"
            type="date"
            value={form.dueDate}
            onChange={(e) =>
              set({ dueDate: e.target.value, dueTime: form.dueTime || (e.target.value ? '09:00' : '') })
            }
            aria-invalid={Boolean(error)}
          />
        </label>
        <label className="field">
          <span>Time</span>
          <input
            id="due-time"
            type="time"
            value={form.dueTime}
            disabled={!form.dueDate}
            onChange={(e) => set({ dueTime: e.target.value })}
          />
        </label>
        {form.dueDate && (
          <button type="button" className="btn btn-small" onClick={() => set({ dueDate: '', dueTime: '' })}>
            Clear due date
          </button>
        )}
      </div>
      <small className="muted">Times are in your time zone, {zone}.</small>
      {error && <p className="field-error">{error}</p>}
    </fieldset>
  );
}
