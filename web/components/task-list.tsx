'use client';

import Link from 'next/link';
import { isFiltered } from '@/lib/list-query';
import type { SignedIn } from '@/lib/session';
import { formatDue } from '@/lib/time';
import { useListView } from '@/lib/use-list-view';
import { useTags } from '@/lib/use-tags';
import { useTaskActions } from '@/lib/use-task-actions';
import { useTaskList } from '@/lib/use-task-list';
import { LoadMore } from './load-more';
import { SortControls, TaskFilters } from './task-filters';
import { TaskRow } from './task-row';

/** The task list: search, filters, sort and paging, all reflected in (and read from) the URL. */
export function TaskList({ session }: { session: SignedIn }) {
  const zone = session.user.time_zone;
  const [view, setView] = useListView();
  const { tags } = useTags();
  const list = useTaskList(view, zone);
  const actions = useTaskActions({ onUpdated: list.replace, onDeleted: list.hide, onRestored: list.unhide });
  const { items, loading, error } = list;

  return (
    <div className="list-layout">
      <TaskFilters view={view} setView={setView} tags={tags ?? []} />

      <section className="list-main" aria-labelledby="tasks-heading">
        <div className="list-head">
          <h1 id="tasks-heading">Tasks</h1>
          <SortControls view={view} setView={setView} />
        </div>

        {error && (
          <div className="alert alert-error" role="alert">
            <p>{error}</p>
            <button type="button" className="btn btn-small" onClick={list.reload}>
              Try again
            </button>
          </div>
        )}

        {!error && !loading && items.length === 0 && <EmptyList filtered={isFiltered(view)} />}

        <ul
          className="tasks"
          aria-label="Task list"
          aria-busy={loading}
          data-view={list.shownView ?? undefined}
        >
          {items.map((task) => (
            <TaskRow
              key={task.id}
              task={task}
              zone={zone}
              onToggle={(t) => void actions.setDone(t, t.status !== 'done')}
              onDelete={actions.deleteWithUndo}
            />
          ))}
          {list.hasMore && <LoadMore loading={loading} onMore={list.loadMore} />}
        </ul>
        {loading && items.length === 0 && <p className="muted">Loading tasks…</p>}
        <p className="muted small" aria-live="polite">
          {!loading &&
            items.length > 0 &&
            `${items.length}${list.hasMore ? '+' : ''} task${items.length === 1 ? '' : 's'}`}
          {!loading &&
            items[0]?.due_at &&
            view.sort === 'due_date' &&
            ` · next due ${formatDue(items[0].due_at, zone)}`}
        </p>
      </section>
    </div>
  );
}

function EmptyList({ filtered }: { filtered: boolean }) {
  return (
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
  );
}
