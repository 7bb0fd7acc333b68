'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { type FormEvent, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, api } from '@/lib/api';
import { cancelDelete, scheduleDelete } from '@/lib/deferred-delete';
import { draftToRule, emptyDraft, type RecurrenceDraft, ruleToDraft } from '@/lib/rrule';
import { instantToWall, wallToInstant } from '@/lib/time';
import { useToast } from '@/lib/toast';
import {
  LABELS,
  type Priority,
  type Session,
  TagList,
  type TagWithCount,
  Task,
  type TaskStatus,
} from '@/lib/types';
import { RecurrenceBuilder } from './recurrence-builder';
import { ReminderReceipts } from './reminder-receipts';
import {
  minutesToReminder,
  type ReminderDraft,
  RemindersEditor,
  reminderToMinutes,
} from './reminders-editor';
import { TagPicker } from './tag-picker';

interface FormState {
  title: string;
  description: string;
  status: TaskStatus;
  priority: Priority;
  tags: string[];
  dueDate: string;
  dueTime: string;
  recurrence: RecurrenceDraft;
  reminders: ReminderDraft[];
}

const emptyForm = (): FormState => ({
  title: '',
  description: '',
  status: 'todo',
  priority: 'medium',
  tags: [],
  dueDate: '',
  dueTime: '',
  recurrence: emptyDraft(),
  reminders: [],
});

/** UNTIL in RRULEs is UTC; the user picks a last day in their zone, so the rule ends as that day ends. */
const untilUtc = (zone: string) => (date: string) =>
  new Date(wallToInstant(date, '23:59', zone).getTime() + 59_000).toISOString().replace(/[-:]|\.\d{3}/g, '');
const untilDate = (zone: string) => (utc: string) => {
  const m = utc.match(/^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/);
  if (!m) return '';
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}Z`;
  return instantToWall(iso, zone).date;
};

function formFromTask(task: Task, zone: string): FormState {
  const wall = task.due_at ? instantToWall(task.due_at, zone) : { date: '', time: '' };
  return {
    title: task.title,
    description: task.description,
    status: task.status,
    priority: task.priority,
    tags: task.tags.map((t) => t.name),
    dueDate: wall.date,
    dueTime: wall.time,
    recurrence: ruleToDraft(
      task.recurrence?.rule ?? null,
      task.recurrence?.mode ?? 'schedule',
      untilDate(zone),
    ),
    reminders: task.reminders.map(minutesToReminder),
  };
}

/** Create or edit a task: every field the API takes, validated by the API and shown per field. */
export function TaskForm({ session, taskId }: { session: Session; taskId?: string }) {
  const router = useRouter();
  const toast = useToast();
  const token = session.token;
  const zone = session.user.time_zone;
  const [form, setForm] = useState<FormState>(emptyForm);
  const [task, setTask] = useState<Task | null>(null);
  const [tags, setTags] = useState<TagWithCount[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<FormState>) => setForm((f) => ({ ...f, ...patch }));
  const titleRef = useRef<HTMLInputElement>(null);
  // A new task starts in its title, so `n` then typing just works.
  useEffect(() => {
    if (!taskId) titleRef.current?.focus();
  }, [taskId]);

  useEffect(() => {
    api('/tags', TagList, { token })
      .then((t) => setTags(t.items))
      .catch(() => setTags([]));
    if (!taskId) return;
    api(`/tasks/${taskId}`, Task, { token })
      .then((t) => {
        setTask(t);
        setForm(formFromTask(t, zone));
      })
      .catch((e) =>
        setLoadError(
          e instanceof ApiError && e.status === 404
            ? 'This task does not exist (or was deleted).'
            : String(e.message ?? e),
        ),
      );
  }, [taskId, token, zone]);

  const dueAt = useMemo(
    () => (form.dueDate ? wallToInstant(form.dueDate, form.dueTime || '09:00', zone).toISOString() : null),
    [form.dueDate, form.dueTime, zone],
  );
  const rule = useMemo(() => draftToRule(form.recurrence, untilUtc(zone)), [form.recurrence, zone]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = {
      title: form.title,
      description: form.description,
      status: form.status,
      priority: form.priority,
      tags: form.tags,
      due_at: dueAt,
      time_zone: zone,
      recurrence: rule ? { rule, mode: form.recurrence.mode } : null,
      reminders: dueAt ? [...new Set(form.reminders.map(reminderToMinutes))] : [],
    };
    try {
      const saved = await api(taskId ? `/tasks/${taskId}` : '/tasks', Task, {
        method: taskId ? 'PATCH' : 'POST',
        token,
        body,
      });
      toast.show(taskId ? `Saved “${saved.title}”.` : `Created “${saved.title}”.`);
      router.push('/');
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, String(err)));
      setBusy(false);
    }
  }

  async function setDone(done: boolean) {
    if (!task) return;
    try {
      const updated = await api(`/tasks/${task.id}/${done ? 'complete' : 'reopen'}`, Task, {
        method: 'POST',
        token,
      });
      setTask(updated);
      set({ status: updated.status });
      toast.show(done ? `Completed “${task.title}”.` : `Reopened “${task.title}”.`);
    } catch (e) {
      toast.show(e instanceof ApiError ? e.message : 'Could not update the task.');
    }
  }

  function remove() {
    if (!task) return;
    scheduleDelete(task.id, token, 6000, () => {});
    toast.show(`Deleted “${task.title}”.`, {
      ms: 6000,
      action: {
        label: 'Undo',
        run: () => {
          if (cancelDelete(task.id)) router.push(`/tasks/${task.id}`);
        },
      },
    });
    router.push('/');
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
  const generalError = error && !error.fields.length ? error.message : null;
  return (
    <div className="editor">
      <form className="card task-form" onSubmit={submit} noValidate aria-labelledby="form-heading">
        <h1 id="form-heading">{taskId ? 'Edit task' : 'New task'}</h1>
        {generalError && (
          <p className="alert alert-error" role="alert">
            {generalError}
          </p>
        )}
        {error && error.fields.length > 0 && (
          <p className="alert alert-error" role="alert">
            Please fix the highlighted fields.
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
              {(['high', 'medium', 'low'] as Priority[]).map((p) => (
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
              {(Object.keys(LABELS.status) as TaskStatus[]).map((s) => (
                <option key={s} value={s}>
                  {LABELS.status[s]}
                </option>
              ))}
            </select>
          </label>
        </div>
        <TagPicker value={form.tags} onChange={(names) => set({ tags: names })} available={tags} />
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
                aria-invalid={Boolean(field('due_at'))}
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
              <button
                type="button"
                className="btn btn-small"
                onClick={() => set({ dueDate: '', dueTime: '' })}
              >
                Clear due date
              </button>
            )}
          </div>
          <small className="muted">Times are in your time zone, {zone}.</small>
          {field('due_at') && <p className="field-error">{field('due_at')}</p>}
        </fieldset>
        <RecurrenceBuilder
          draft={form.recurrence}
          onChange={(recurrence) => set({ recurrence })}
          rule={rule}
          dueAt={dueAt}
          zone={zone}
          token={token}
          error={field('recurrence')}
        />
        <RemindersEditor
          value={form.reminders}
          onChange={(reminders) => set({ reminders })}
          disabled={!form.dueDate}
          error={field('reminders')}
        />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Saving…' : taskId ? 'Save changes' : 'Create task'}
          </button>
          <Link href="/" className="btn">
            Cancel
          </Link>
        </div>
      </form>

      {task && (
        <aside className="editor-side">
          <section className="card" aria-labelledby="actions-heading">
            <h2 id="actions-heading">Actions</h2>
            <div className="row wrap">
              {task.status === 'done' ? (
                <button type="button" className="btn" onClick={() => setDone(false)}>
                  Reopen
                </button>
              ) : (
                <button type="button" className="btn" onClick={() => setDone(true)}>
                  Complete
                </button>
              )}
              <button type="button" className="btn btn-danger" onClick={remove}>
                Delete
              </button>
              {task.series_id && (
                <Link className="btn" href={`/series/${task.series_id}`}>
                  View series
                </Link>
              )}
            </div>
          </section>
          {task.reminders.length > 0 && <ReminderReceipts taskId={task.id} token={token} zone={zone} />}
        </aside>
      )}
    </div>
  );
}
