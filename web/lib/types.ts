import { z } from 'zod';

/** The API's answers as the web reads them (kept loose where other functions may add fields). */

export const Priority = z.enum(['low', 'medium', 'high']);
export type Priority = z.infer<typeof Priority>;
export const TaskStatus = z.enum(['todo', 'in_progress', 'done']);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const Tag = z.object({ id: z.string(), name: z.string() });
export type Tag = z.infer<typeof Tag>;
export const TagWithCount = Tag.extend({ task_count: z.number() });
export type TagWithCount = z.infer<typeof TagWithCount>;
export const TagList = z.object({ items: z.array(TagWithCount) });

export const Task = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  status: TaskStatus,
  priority: Priority,
  tags: z.array(Tag),
  due_at: z.string().nullable(),
  time_zone: z.string(),
  recurrence: z.object({ rule: z.string(), mode: z.enum(['schedule', 'completion']) }).nullable(),
  series_id: z.string().nullable(),
  reminders: z.array(z.number()),
  created_at: z.string(),
  updated_at: z.string(),
  completed_at: z.string().nullable(),
});
export type Task = z.infer<typeof Task>;
export const TaskPage = z.object({ items: z.array(Task), next_cursor: z.string().nullable() });
export type TaskPage = z.infer<typeof TaskPage>;

export const User = z.object({ id: z.string(), email: z.string(), time_zone: z.string() });
export type User = z.infer<typeof User>;
export const Session = z.object({ token: z.string(), user: User });
export type Session = z.infer<typeof Session>;

export const Nothing = z.unknown();

export const LABELS = {
  priority: { high: 'High', medium: 'Medium', low: 'Low' } satisfies Record<Priority, string>,
  status: { todo: 'To do', in_progress: 'In progress', done: 'Done' } satisfies Record<TaskStatus, string>,
};
