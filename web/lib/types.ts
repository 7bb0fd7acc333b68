import type { ApiAnswer } from './api';

/**
 * Names for the API's answers the web reads. Each is an alias of a type generated from the server's
 * OpenAPI document (api-types.gen.ts), so a field the server does not send does not compile here.
 */

export type Task = ApiAnswer<'GET /tasks/{id}'>;
export type TaskPage = ApiAnswer<'GET /tasks'>;
export type Priority = Task['priority'];
export type TaskStatus = Task['status'];
export type Tag = Task['tags'][number];
export type TagWithCount = ApiAnswer<'GET /tags'>['items'][number];
export type User = ApiAnswer<'GET /auth/me'>;
/** What log-in, sign-up, refresh and a password change answer: a short-lived access token (seconds). */
export type Session = ApiAnswer<'POST /auth/login'>;
export type Series = ApiAnswer<'GET /series/{id}'>;
export type Occurrence = Series['occurrences'][number];
export type AppNotification = ApiAnswer<'GET /notifications'>['items'][number];
export type ReminderReceipt = ApiAnswer<'GET /tasks/{id}/reminders'>['items'][number];

/** Most urgent first, as the pickers and filters list them. */
export const PRIORITIES: readonly Priority[] = ['high', 'medium', 'low'];
export const STATUSES: readonly TaskStatus[] = ['todo', 'in_progress', 'done'];

export const LABELS = {
  priority: { high: 'High', medium: 'Medium', low: 'Low' } satisfies Record<Priority, string>,
  status: { todo: 'To do', in_progress: 'In progress', done: 'Done' } satisfies Record<TaskStatus, string>,
};

export type Project = ApiAnswer<'GET /projects/{id}'>;
export type ProjectColor = Project['color'];
export type AgendaToday = ApiAnswer<'GET /agenda/today'>;
export type AgendaUpcoming = ApiAnswer<'GET /agenda/upcoming'>;
export type AgendaDay = AgendaUpcoming['days'][number];
export type AgendaOccurrence = AgendaDay['occurrences'][number];

/** The palette's names as people read them; globals.css has each as `--project-<name>` in both themes. */
export const PROJECT_COLORS: Record<ProjectColor, string> = {
  red: 'Red',
  orange: 'Orange',
  yellow: 'Yellow',
  green: 'Green',
  teal: 'Teal',
  sky_blue: 'Sky blue',
  blue: 'Blue',
  violet: 'Violet',
  magenta: 'Magenta',
  grey: 'Grey',
};
