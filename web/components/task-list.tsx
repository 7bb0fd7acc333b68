'use client';

import Link from 'next/link';
import { Fragment, type ReactNode } from 'react';
import { isFiltered } from '@/lib/list-query';
import type { SignedIn } from '@/lib/session';
import { canWriteTasks } from '@/lib/sharing';
import { formatDue } from '@/lib/time';
import type { Project } from '@/lib/types';
import { useExpandedTasks } from '@/lib/use-expanded-tasks';
import { useListView } from '@/lib/use-list-view';
import { newTaskPath, useProjects } from '@/lib/use-projects';
import { subtaskCounts } from '@/lib/use-subtasks';
import { useTags } from '@/lib/use-tags';
import { useTaskActions } from '@/lib/use-task-actions';
import { useTaskList } from '@/lib/use-task-list';
import { LoadMore } from './load-more';
import { ProjectDot } from './project-dot';
import { SortControls, TaskFilters } from './task-filters';
import { subtasksId, TaskListSubtasks } from './task-list-subtasks';
import { TaskRow } from './task-row';

interface TaskListProps {
  session: SignedIn;
  /** A project's page: only its tasks, its name as the heading, no project names on the rows. */
  project?: Project;
  /** Under the heading (a project's settings). */
  toolbar?: ReactNode;
}

/**
 * The task list: search, filters, sort and paging, all reflected in (and read from) the URL; all tasks,
 * or one project's. Top-level tasks (a search finds subtasks too); a parent's subtasks open under it.
 */
export function TaskList({ session, project, toolbar }: TaskListProps) {
  const zone = session.user.time_zone;
  const [view, setView] = useListView();
  const { tags } = useTags();
  const projects = useProjects();
  const list = useTaskList(view, zone, project?.id);
  const actions = useTaskActions({ onUpdated: list.replace, onDeleted: list.hide, onRestored: list.unhide });
  const { items, loading, error } = list;
  // Parents showing their subtasks: kept through the list's reloads (and a visit to an editor).
  const expanded = useExpandedTasks();

  return (
    <div className="list-layout">
      <TaskFilters view={view} setView={setView} tags={tags ?? []} />

      <section className="list-main" aria-labelledby="tasks-heading">
        <div className="list-head">
          <h1 id="tasks-heading">
            {project ? (
              <>
                <ProjectDot color={project.color} /> {project.name}
              </>
            ) : (
              'Tasks'
            )}
          </h1>
          <SortControls view={view} setView={setView} />
        </div>
        {toolbar}

        {error && (
          <div className="alert alert-error" role="alert">
            <p>{error}</p>
            <button type="button" className="btn btn-small" onClick={list.reload}>
              Try again
            </button>
          </div>
        )}

        {!error && !loading && items.length === 0 && (
          <EmptyList filtered={isFiltered(view)} project={project} />
        )}

        <ul
          className="tasks"
          aria-label="Task list"
          aria-busy={loading}
          data-view={list.shownView ?? undefined}
        >
          {items.map((task) => {
            // Open (shown) only while it has subtasks: deleting its last one folds it.
            const open = expanded.isOpen(task.id) && subtaskCounts(task) !== null;
            return (
              <Fragment key={task.id}>
                <TaskRow
                  task={task}
                  zone={zone}
                  onToggle={(t) => void actions.setDone(t, t.status !== 'done')}
                  onDelete={actions.deleteWithUndo}
                  project={project ? undefined : projects.byId.get(task.project_id)}
                  disclosure={{
                    expanded: open,
                    controls: subtasksId(task),
                    onToggle: () => expanded.toggle(task.id),
                  }}
                />
                {open && <TaskListSubtasks parent={task} zone={zone} />}
              </Fragment>
            );
          })}
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

function EmptyList({ filtered, project }: { filtered: boolean; project?: Project }) {
  return (
    <div className="empty">
      {filtered ? (
        <>
          <p>No tasks match these filters.</p>
          <p className="muted">Try fewer filters, or clear them to see everything.</p>
        </>
      ) : project ? (
        <>
          <p>No tasks in {project.name}.</p>
          {!project.archived_at && canWriteTasks(project) && (
            <p className="muted">
              <Link href={newTaskPath(project)}>Add a task to it</Link>.
            </p>
          )}
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
