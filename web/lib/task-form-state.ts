import type { ApiBody } from './api';
import { minutesToReminder, type ReminderDraft, reminderToMinutes } from './reminders';
import { draftToRule, emptyDraft, type RecurrenceDraft, ruleToDraft } from './rrule';
import { instantToWall, wallToInstant } from './time';
import type { Priority, Task, TaskStatus } from './types';

/** The task editor's fields, as the user edits them (wall-clock date and time, reminders in units). */
export interface FormState {
  title: string;
  description: string;
  status: TaskStatus;
  priority: Priority;
  tags: string[];
  dueDate: string;
  dueTime: string;
  recurrence: RecurrenceDraft;
  reminders: ReminderDraft[];
  /** '' until chosen: the server puts a new task in the Inbox. */
  projectId: string;
  /** The member it is assigned to; '' for nobody. */
  assigneeId: string;
}

export const emptyForm = (): FormState => ({
  title: '',
  description: '',
  status: 'todo',
  priority: 'medium',
  tags: [],
  dueDate: '',
  dueTime: '',
  recurrence: emptyDraft(),
  reminders: [],
  projectId: '',
  assigneeId: '',
});

/** UNTIL in RRULEs is UTC; the user picks a last day in their zone, so the rule ends as that day ends. */
export const untilUtc = (zone: string) => (date: string) =>
  new Date(wallToInstant(date, '23:59', zone).getTime() + 59_000).toISOString().replace(/[-:]|\.\d{3}/g, '');
export const untilDate = (zone: string) => (utc: string) => {
  const m = utc.match(/^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/);
  if (!m) return '';
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}Z`;
  return instantToWall(iso, zone).date;
};

export function formFromTask(task: Task, zone: string): FormState {
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
    projectId: task.project_id,
    assigneeId: task.assignee_id ?? '',
  };
}

/** The due instant (ISO, UTC) of the form's wall-clock date and time; a date alone means 09:00. */
export const dueAtOf = (form: FormState, zone: string): string | null =>
  form.dueDate ? wallToInstant(form.dueDate, form.dueTime || '09:00', zone).toISOString() : null;

export const ruleOf = (form: FormState, zone: string): string | null =>
  draftToRule(form.recurrence, untilUtc(zone));

/**
 * What the form saves: every field, for a create and an edit alike (reminders need a due time). The
 * project only when it changes (`current`: the edited task), so a task in an archived project can still
 * be edited where it is (a move into an archived project is refused); the assignee only when it changes
 * too, so a move keeps the server's rule (an assignee who is not in the new project is cleared).
 */
export function bodyOf(
  form: FormState,
  zone: string,
  current?: Pick<Task, 'project_id' | 'assignee_id'>,
): ApiBody<'POST /tasks'> & ApiBody<'PATCH /tasks/{id}'> {
  const dueAt = dueAtOf(form, zone);
  const rule = ruleOf(form, zone);
  return {
    title: form.title,
    description: form.description,
    status: form.status,
    priority: form.priority,
    tags: form.tags,
    due_at: dueAt,
    time_zone: zone,
    recurrence: rule ? { rule, mode: form.recurrence.mode } : null,
    reminders: dueAt ? [...new Set(form.reminders.map(reminderToMinutes))] : [],
    ...(form.projectId && form.projectId !== current?.project_id && { project_id: form.projectId }),
    ...(form.assigneeId !== (current?.assignee_id ?? '') && { assignee_id: form.assigneeId || null }),
  };
}
