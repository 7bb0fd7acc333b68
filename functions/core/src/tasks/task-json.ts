import type { TaskRow } from '../db/types.ts';
import { iso } from '../runtime/time.ts';
import type { SubtaskCounts, TaskOut } from '../schemas.ts';

export interface TaskTag {
  id: string;
  name: string;
}

/**
 * A task row as the reads select it: with its subtasks' counts (subtaskCounts in list-tasks.ts) beside the
 * columns. A row without them is one that cannot have subtasks yet (just inserted) — or a caller that did
 * not ask, whose counts then read 0 and 0.
 */
export type TaskRowWithCounts = TaskRow & { subtasks?: SubtaskCounts | null };

/** The columns a task's JSON shows: a row as read, or a new task's as it is about to be inserted. */
type TaskJsonColumns = Omit<
  TaskRowWithCounts,
  | 'priority_rank'
  | 'search_text'
  | 'tag_names'
  | 'occurrence_number'
  | 'previous_occurrence_id'
  | 'due_local'
  | 'skipped_at'
  | 'user_id'
>;

/** The API's view of a task row: snake_case fields, ISO instants, recurrence folded into one object. */
export function toTaskJson(row: TaskJsonColumns, tags: TaskTag[]): TaskOut {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    status: row.status,
    priority: row.priority,
    tags,
    due_at: iso(row.due_at),
    time_zone: row.time_zone,
    recurrence:
      row.recurrence_rule && row.recurrence_mode
        ? { rule: row.recurrence_rule, mode: row.recurrence_mode }
        : null,
    series_id: row.series_id,
    project_id: row.project_id,
    parent_id: row.parent_id,
    // One level: a subtask has no counts of its own.
    subtasks: row.parent_id ? null : (row.subtasks ?? { total: 0, done: 0 }),
    assignee_id: row.assignee_id,
    reminders: row.reminder_offsets,
    created_at: iso(row.created_at)!,
    updated_at: iso(row.updated_at)!,
    completed_at: iso(row.completed_at),
  };
}
