'use client';

import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, api } from '@/lib/api';
import { cancelDelete, scheduleDelete } from '@/lib/deferred-delete';
import {
  apiQueryFromView,
  isFiltered,
  type ListView,
  paramsFromView,
  viewFromParams,
} from '@/lib/list-query';
import { pollUntil } from '@/lib/series';
import { formatDue } from '@/lib/time';
import { useToast } from '@/lib/toast';
import {
  LABELS,
  type Priority,
  type Session,
  TagList,
  type TagWithCount,
  Task,
  TaskPage,
  type TaskStatus,
} from '@/lib/types';
import { TaskRow } from './task-row';

const PAGE_SIZE = 25;
const UNDO_MS = 6000;

const SORT_LABELS: Record<ListView['sort'], string> = {
  created_at: 'Created',
  due_date: 'Due date',
  priority: 'Priority',
  title: 'Title',
};

function toggle<T>(list: T[], value: T): T[] {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}

/** The task list: search, filters, sort and paging, all reflected in (and read from) the URL. */
export function TaskList({ session }: { session: Session }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const view = useMemo(() => viewFromParams(new URLSearchParams(params.toString())), [params]);
  const zone = session.user.time_zone;
  const token = session.token;
  const toast = useToast();

  const [items, setItems] = useState<Task[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  // The view (as its query string) that the shown items were loaded for: lets a reader — and the
  // browser tests — tell a finished re-fetch from the old list still on screen after the URL changed.
  const [shownView, setShownView] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tags, setTags] = useState<TagWithCount[]>([]);
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const [searchText, setSearchText] = useState(view.q);
  const [filtersOpen, setFiltersOpen] = useState(true);
  const requestId = useRef(0);
  const sentinel = useRef<HTMLLIElement>(null);

  const setView = useCallback(
    (patch: Partial<ListView>) => {
      const qs = paramsFromView({ ...view, ...patch });
      router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
    },
    [view, router, pathname],
  );

  const load = useCallback(
    async (after: string | null) => {
      const id = ++requestId.current;
      setLoading(true);
      setError(null);
      try {
        const page = await api('/tasks', TaskPage, {
          token,
          query: { ...apiQueryFromView(view, zone), limit: String(PAGE_SIZE), cursor: after ?? undefined },
        });
        if (id !== requestId.current) return;
        setItems((prev) => (after ? [...prev, ...page.items] : page.items));
        setCursor(page.next_cursor);
        setShownView(paramsFromView(view));
      } catch (e) {
        if (id !== requestId.current) return;
        setError(e instanceof ApiError ? e.message : 'Could not load tasks.');
      } finally {
        if (id === requestId.current) setLoading(false);
      }
    },
    [view, zone, token],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  useEffect(() => {
    const refresh = () => void load(null);
    window.addEventListener('todo:changed', refresh);
    return () => window.removeEventListener('todo:changed', refresh);
  }, [load]);

  useEffect(() => {
    api('/tags', TagList, { token })
      .then((t) => setTags(t.items))
      .catch(() => setTags([]));
  }, [token]);

  // Search as you type, without a history entry per keystroke.
  useEffect(() => setSearchText(view.q), [view.q]);
  useEffect(() => {
    if (searchText === view.q) return;
    const t = setTimeout(() => setView({ q: searchText.trim() }), 300);
    return () => clearTimeout(t);
  }, [searchText, view.q, setView]);

  // On a phone the filters start folded (unless some are set) so the tasks come first.
  const filteredAtLoad = useRef(isFiltered(view));
  useEffect(() => {
    if (window.matchMedia('(max-width: 760px)').matches && !filteredAtLoad.current) setFiltersOpen(false);
  }, []);

  useEffect(() => {
    if (params.get('focus') === 'search') document.getElementById('search')?.focus();
  }, [params]);

  // Infinite scroll: load the next page when the end of the list comes into view.
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !cursor || loading) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void load(cursor);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [cursor, loading, load]);

  async function toggleDone(task: Task) {
    const action = task.status === 'done' ? 'reopen' : 'complete';
    try {
      const updated = await api(`/tasks/${task.id}/${action}`, Task, { method: 'POST', token });
      setItems((prev) => prev.map((t) => (t.id === task.id ? updated : t)));
      if (action === 'complete') {
        toast.show(
          task.recurrence
            ? `Completed “${task.title}”. The next occurrence is on its way.`
            : `Completed “${task.title}”.`,
          { action: { label: 'Undo', run: () => void toggleDone(updated) } },
        );
      } else {
        toast.show(`Reopened “${task.title}”.`);
      }
      // A recurring task's next occurrence is created by an event function, which may be scaled to zero
      // (a cold start plus KEDA's polling): ask until it exists, backing off, then refresh the list once.
      if (action === 'complete' && task.recurrence && task.series_id)
        void pollUntil(async () => {
          const open = await api('/tasks', TaskPage, {
            token,
            query: { series_id: task.series_id ?? undefined, status: 'todo,in_progress', limit: '1' },
          });
          return open.items.length > 0;
        }).then((arrived) => {
          if (arrived) void load(null);
        });
    } catch (e) {
      toast.show(e instanceof ApiError ? e.message : 'Could not update the task.');
    }
  }

  function deleteWithUndo(task: Task) {
    setHidden((h) => new Set(h).add(task.id));
    scheduleDelete(task.id, token, UNDO_MS, () => {});
    toast.show(`Deleted “${task.title}”.`, {
      ms: UNDO_MS,
      action: {
        label: 'Undo',
        run: () => {
          if (cancelDelete(task.id)) {
            setHidden((h) => {
              const next = new Set(h);
              next.delete(task.id);
              return next;
            });
          }
        },
      },
    });
  }

  const visible = items.filter((t) => !hidden.has(t.id));
  const filtered = isFiltered(view);

  return (
    <div className="list-layout">
      <section className="list-controls" aria-label="Search, filter and sort">
        <search>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              setView({ q: searchText.trim() });
            }}
          >
            <label className="field">
              <span>Search</span>
              <input
                id="search"
                type="search"
                placeholder="Title, description or tag  ( / )"
                value={searchText}
                onChange={(e) => setSearchText(e.target.value)}
                aria-keyshortcuts="/"
              />
            </label>
          </form>
        </search>
        <details
          className="filters"
          open={filtersOpen}
          onToggle={(e) => setFiltersOpen(e.currentTarget.open)}
        >
          <summary>Filters</summary>
          <fieldset>
            <legend>Status</legend>
            {(Object.keys(LABELS.status) as TaskStatus[]).map((s) => (
              <label key={s} className="check">
                <input
                  type="checkbox"
                  checked={view.status.includes(s)}
                  onChange={() => setView({ status: toggle(view.status, s) })}
                />
                {LABELS.status[s]}
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>Priority</legend>
            {(['high', 'medium', 'low'] as Priority[]).map((p) => (
              <label key={p} className="check">
                <input
                  type="checkbox"
                  checked={view.priority.includes(p)}
                  onChange={() => setView({ priority: toggle(view.priority, p) })}
                />
                {LABELS.priority[p]}
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>Due</legend>
            <label className="field">
              <span className="sr-only">Due</span>
              <select value={view.due} onChange={(e) => setView({ due: e.target.value as ListView['due'] })}>
                <option value="">Any time</option>
                <option value="overdue">Overdue</option>
                <option value="today">Today</option>
                <option value="week">This week</option>
                <option value="range">Date range…</option>
              </select>
            </label>
            {view.due === 'range' && (
              <div className="row">
                <label className="field">
                  <span>From</span>
                  <input type="date" value={view.from} onChange={(e) => setView({ from: e.target.value })} />
                </label>
                <label className="field">
                  <span>To</span>
                  <input type="date" value={view.to} onChange={(e) => setView({ to: e.target.value })} />
                </label>
              </div>
            )}
          </fieldset>
          {tags.length > 0 && (
            <fieldset>
              <legend>Tags</legend>
              <div className="tag-filter">
                {tags.map((t) => (
                  <label key={t.id} className="check">
                    <input
                      type="checkbox"
                      checked={view.tags.includes(t.name)}
                      onChange={() => setView({ tags: toggle(view.tags, t.name) })}
                    />
                    #{t.name}
                  </label>
                ))}
              </div>
            </fieldset>
          )}
          {filtered && (
            <button
              type="button"
              className="btn btn-small"
              onClick={() => {
                setSearchText('');
                setView({ q: '', status: [], priority: [], tags: [], due: '', from: '', to: '' });
              }}
            >
              Clear filters
            </button>
          )}
        </details>
      </section>

      <section className="list-main" aria-labelledby="tasks-heading">
        <div className="list-head">
          <h1 id="tasks-heading">Tasks</h1>
          <div className="row">
            <label className="field inline">
              <span>Sort by</span>
              <select
                id="sort"
                value={view.sort}
                onChange={(e) => setView({ sort: e.target.value as ListView['sort'] })}
              >
                {Object.entries(SORT_LABELS).map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            </label>
            <label className="field inline">
              <span>Order</span>
              <select
                value={view.order}
                onChange={(e) => setView({ order: e.target.value as ListView['order'] })}
              >
                <option value="">Natural</option>
                <option value="asc">Ascending</option>
                <option value="desc">Descending</option>
              </select>
            </label>
          </div>
        </div>

        {error && (
          <div className="alert alert-error" role="alert">
            <p>{error}</p>
            <button type="button" className="btn btn-small" onClick={() => void load(null)}>
              Try again
            </button>
          </div>
        )}

        {!error && !loading && visible.length === 0 && (
          <div className="empty">
            {filtered ? (
              <>
                <p>No tasks match these filters.</p>
                <p className="muted">Try fewer filters, or clear them to see everything.</p>
              </>
            ) : (
              <>
                <p>No tasks yet.</p>
                <p className="muted">
                  Press <kbd>n</kbd> or <Link href="/tasks/new">create your first task</Link>.
                </p>
              </>
            )}
          </div>
        )}

        <ul className="tasks" aria-label="Task list" aria-busy={loading} data-view={shownView ?? undefined}>
          {visible.map((task) => (
            <TaskRow key={task.id} task={task} zone={zone} onToggle={toggleDone} onDelete={deleteWithUndo} />
          ))}
          {cursor && (
            <li ref={sentinel} className="load-more">
              <button type="button" className="btn" disabled={loading} onClick={() => void load(cursor)}>
                {loading ? 'Loading…' : 'Load more'}
              </button>
            </li>
          )}
        </ul>
        {loading && visible.length === 0 && <p className="muted">Loading tasks…</p>}
        <p className="muted small" aria-live="polite">
          {!loading &&
            visible.length > 0 &&
            `${visible.length}${cursor ? '+' : ''} task${visible.length === 1 ? '' : 's'}`}
          {!loading &&
            visible[0]?.due_at &&
            view.sort === 'due_date' &&
            ` · next due ${formatDue(visible[0].due_at, zone)}`}
        </p>
      </section>
    </div>
  );
}
