import type { EventFunctionFactory, FunctionFactory } from '@todo/core';
import agenda from './agenda/app.ts';
import apiDocs from './api-docs/app.ts';
import audit from './audit/app.ts';
import auth from './auth/app.ts';
import calendarFeed from './calendar-feed/app.ts';
import type { EventFunctionName, HttpFunctionName } from './catalog.ts';
import chat from './chat/app.ts';
import clock from './clock/app.ts';
import completeTask from './complete-task/app.ts';
import createTask from './create-task/app.ts';
import deleteTask from './delete-task/app.ts';
import listTasks from './list-tasks/app.ts';
import live from './live/app.ts';
import mcp from './mcp/app.ts';
import notifications from './notifications/app.ts';
import notify from './notify/app.ts';
import projects from './projects/app.ts';
import quickAdd from './quick-add/app.ts';
import scheduleRecurrence from './schedule-recurrence/app.ts';
import scheduleReminder from './schedule-reminder/app.ts';
import series from './series/app.ts';
import tags from './tags/app.ts';
import transfer from './transfer/app.ts';
import updateTask from './update-task/app.ts';

/**
 * Every HTTP function's app factory by catalog name, for the embedded runner and the tests. Keyed by the
 * catalog's names: a function missing here, or a name the catalog lacks, does not compile.
 */
export const httpApps: Record<string, FunctionFactory> = {
  auth,
  'create-task': createTask,
  'list-tasks': listTasks,
  'update-task': updateTask,
  'complete-task': completeTask,
  'delete-task': deleteTask,
  tags,
  projects,
  'api-docs': apiDocs,
  notifications,
  live,
  series,
  'quick-add': quickAdd,
  chat,
  mcp,
  'calendar-feed': calendarFeed,
  agenda,
  transfer,
} satisfies Record<HttpFunctionName, FunctionFactory>;

/** Every event (and clock) function's app factory by catalog name (checked as httpApps are). */
export const eventApps: Record<string, EventFunctionFactory> = {
  clock,
  audit,
  'schedule-reminder': scheduleReminder,
  'schedule-recurrence': scheduleRecurrence,
  notify,
} satisfies Record<EventFunctionName, EventFunctionFactory>;
