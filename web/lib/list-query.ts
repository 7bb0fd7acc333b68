import type { ApiCall } from './api';
import { addDays, dayRange, startOfWeek, todayIn } from './time';
import { PRIORITIES, type Priority, STATUSES, type TaskStatus } from './types';

/** The task list's view, as it lives in the URL so a shared link reproduces it. */
export interface ListView {
  q: string;
  status: TaskStatus[];
  priority: Priority[];
  tags: string[];
  due: '' | 'overdue' | 'today' | 'week' | 'range';
  from: string;
  to: string;
  sort: 'created_at' | 'due_date' | 'priority' | 'title';
  order: '' | 'asc' | 'desc';
  /** 'me': only the tasks assigned to the user (shared projects). */
  assigned: '' | 'me';
}

const SORTS = ['created_at', 'due_date', 'priority', 'title'] as const;
const DUES = ['', 'overdue', 'today', 'week', 'range'] as const;

const list = (v: string | null) => (v ? v.split(',').filter(Boolean) : []);

export function viewFromParams(p: URLSearchParams): ListView {
  const sort = p.get('sort') ?? '';
  const due = p.get('due') ?? '';
  const order = p.get('order') ?? '';
  return {
    q: p.get('q') ?? '',
    status: list(p.get('status')).filter((s): s is TaskStatus => (STATUSES as readonly string[]).includes(s)),
    priority: list(p.get('priority')).filter((s): s is Priority =>
      (PRIORITIES as readonly string[]).includes(s),
    ),
    tags: list(p.get('tags')),
    due: (DUES as readonly string[]).includes(due) ? (due as ListView['due']) : '',
    from: p.get('from') ?? '',
    to: p.get('to') ?? '',
    sort: (SORTS as readonly string[]).includes(sort) ? (sort as ListView['sort']) : 'created_at',
    order: order === 'asc' || order === 'desc' ? order : '',
    assigned: p.get('assigned') === 'me' ? 'me' : '',
  };
}

/** Only non-default values go in the URL, so links stay short. */
export function paramsFromView(v: ListView): string {
  const p = new URLSearchParams();
  if (v.q) p.set('q', v.q);
  if (v.status.length) p.set('status', v.status.join(','));
  if (v.priority.length) p.set('priority', v.priority.join(','));
  if (v.tags.length) p.set('tags', v.tags.join(','));
  if (v.due) p.set('due', v.due);
  if (v.due === 'range' && v.from) p.set('from', v.from);
  if (v.due === 'range' && v.to) p.set('to', v.to);
  if (v.sort !== 'created_at') p.set('sort', v.sort);
  if (v.order) p.set('order', v.order);
  if (v.assigned) p.set('assigned', v.assigned);
  return p.toString();
}

type TaskQuery = NonNullable<ApiCall<'GET /tasks'>['query']>;

/** The API query for a view; due windows are whole days in the user's zone. */
export function apiQueryFromView(v: ListView, zone: string, now = new Date()): TaskQuery {
  const q: TaskQuery = {
    search: v.q || undefined,
    status: v.status.join(',') || undefined,
    priority: v.priority.join(',') || undefined,
    tags: v.tags.join(',') || undefined,
    sort_by: v.sort,
    order: v.order || undefined,
    assignee: v.assigned || undefined,
  };
  const today = todayIn(zone, now);
  if (v.due === 'overdue') q.overdue = 'true';
  if (v.due === 'today') Object.assign(q, window2(dayRange(today, today, zone)));
  if (v.due === 'week') {
    const monday = startOfWeek(today);
    Object.assign(q, window2(dayRange(monday, addDays(monday, 6), zone)));
  }
  if (v.due === 'range' && (v.from || v.to)) {
    const r = dayRange(v.from || v.to, v.to || v.from, zone);
    if (v.from) q.due_from = r.from;
    if (v.to) q.due_to = r.to;
  }
  return q;
}

const window2 = (r: { from: string; to: string }) => ({ due_from: r.from, due_to: r.to });

export function isFiltered(v: ListView): boolean {
  return Boolean(v.q || v.status.length || v.priority.length || v.tags.length || v.due || v.assigned);
}
