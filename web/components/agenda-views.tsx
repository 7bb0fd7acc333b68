'use client';

import Link from 'next/link';
import type { SignedIn } from '@/lib/session';
import { dayHeading, formatDay, formatDue } from '@/lib/time';
import { type AgendaOccurrence, LABELS, type Task } from '@/lib/types';
import { useAgenda } from '@/lib/use-agenda';
import { useHiddenTasks } from '@/lib/use-hidden-tasks';
import { useProjects } from '@/lib/use-projects';
import { useTaskActions } from '@/lib/use-task-actions';
import { TaskRow } from './task-row';

/**
 * The rows of an agenda view, with the list's actions: complete (the task leaves the view when the
 * reload that follows every change comes back) and delete with undo.
 */
function useAgendaRows(zone: string) {
  const hidden = useHiddenTasks();
  const { byId } = useProjects();
  const actions = useTaskActions({
    // A completed task leaves the view with the reload every change triggers (announceTasksChanged).
    onUpdated: () => {},
    onDeleted: hidden.hide,
    onRestored: hidden.unhide,
  });
  return function rows(tasks: Task[]) {
    return hidden
      .visible(tasks)
      .map((task) => (
        <TaskRow
          key={task.id}
          task={task}
          zone={zone}
          onToggle={(t) => void actions.setDone(t, t.status !== 'done')}
          onDelete={actions.deleteWithUndo}
          project={byId.get(task.project_id)}
        />
      ));
  };
}

function LoadState({ error, reload }: { error: string | null; reload(): void }) {
  if (!error) return <p className="muted">Loading…</p>;
  return (
    <div className="alert alert-error" role="alert">
      <p>{error}</p>
      <button type="button" className="btn btn-small" onClick={reload}>
        Try again
      </button>
    </div>
  );
}

/** Today: open tasks overdue (the oldest first), then those due today, by the day in the user's zone. */
export function TodayView({ session }: { session: SignedIn }) {
  const { data, error, reload } = useAgenda('today');
  const rows = useAgendaRows(session.user.time_zone);

  return (
    <section className="narrow agenda" aria-labelledby="today-heading">
      <h1 id="today-heading">
        Today {data && <span className="muted agenda-date">{formatDay(data.date)}</span>}
      </h1>
      {!data ? (
        <LoadState error={error} reload={() => void reload()} />
      ) : (
        <>
          {data.overdue.length > 0 && (
            <section aria-labelledby="overdue-heading" className="agenda-day">
              <h2 id="overdue-heading">Overdue</h2>
              <ul className="tasks" aria-label="Overdue tasks">
                {rows(data.overdue)}
              </ul>
            </section>
          )}
          <section aria-labelledby="due-today-heading" className="agenda-day">
            <h2 id="due-today-heading">Due today</h2>
            {data.today.length === 0 ? (
              <p className="muted">Nothing else is due today.</p>
            ) : (
              <ul className="tasks" aria-label="Tasks due today">
                {rows(data.today)}
              </ul>
            )}
          </section>
          {data.truncated && <Truncated />}
        </>
      )}
    </section>
  );
}

/**
 * Upcoming: today and the next six days, each under its heading, with its open tasks and the occurrences
 * recurring tasks will create that day (shown as such: they are not tasks yet, so nothing to edit).
 */
export function UpcomingView({ session }: { session: SignedIn }) {
  const zone = session.user.time_zone;
  const { data, error, reload } = useAgenda('upcoming');
  const rows = useAgendaRows(zone);
  const today = data?.days[0]?.date ?? '';

  return (
    <section className="narrow agenda" aria-labelledby="upcoming-view-heading">
      <h1 id="upcoming-view-heading">Upcoming</h1>
      {!data ? (
        <LoadState error={error} reload={() => void reload()} />
      ) : (
        <>
          {data.days.map((day) => (
            <section
              key={day.date}
              aria-labelledby={`day-${day.date}`}
              className="agenda-day"
              data-testid="agenda-day"
              data-date={day.date}
            >
              <h2 id={`day-${day.date}`}>{dayHeading(day.date, today)}</h2>
              {day.tasks.length + day.occurrences.length === 0 ? (
                <p className="muted small">Nothing due.</p>
              ) : (
                <ul className="tasks" aria-label={`Due ${formatDay(day.date)}`}>
                  {rows(day.tasks)}
                  {day.occurrences.map((o) => (
                    <OccurrenceRow key={`${o.series_id}-${o.due_at}`} occurrence={o} zone={zone} />
                  ))}
                </ul>
              )}
            </section>
          ))}
          {data.truncated && <Truncated />}
        </>
      )}
    </section>
  );
}

/** A recurring task's occurrence that is not a task yet: marked as such, its series one link away. */
function OccurrenceRow({ occurrence: o, zone }: { occurrence: AgendaOccurrence; zone: string }) {
  return (
    <li className={`task occurrence prio-${o.priority}`} data-testid="occurrence-row">
      <span className="occurrence-mark" aria-hidden="true">
        ↻
      </span>
      <div className="task-main">
        <span className="task-title">{o.title}</span>
        <div className="task-meta">
          <span className="pill repeat">↻ repeats</span>
          <span className={`pill prio prio-${o.priority}`}>{LABELS.priority[o.priority]}</span>
          <span className="due">
            <time dateTime={o.due_at}>{formatDue(o.due_at, zone)}</time>
          </span>
          {o.tags.map((t) => (
            <span key={t.id} className="pill tag">
              #{t.name}
            </span>
          ))}
          <span className="muted small">Created when its turn comes</span>
        </div>
      </div>
      <div className="task-actions">
        <Link
          href={`/series/${o.series_id}`}
          className="btn btn-small"
          aria-label={`View the series of ${o.title}`}
        >
          Series
        </Link>
      </div>
    </li>
  );
}

function Truncated() {
  return (
    <p className="muted small">
      Not everything fits here: <Link href="/?sort=due_date">the full list, by due date</Link> has the rest.
    </p>
  );
}
