'use client';

import Link from 'next/link';
import type { Task } from '@/lib/types';
import { ReminderReceipts } from './reminder-receipts';

interface TaskSideProps {
  task: Task;
  zone: string;
  onDone(done: boolean): void;
  onDelete(): void;
}

/** Beside an existing task's editor: complete or reopen, delete, its series, its reminder receipts. */
export function TaskSide({ task, zone, onDone, onDelete }: TaskSideProps) {
  return (
    <aside className="editor-side">
      <section className="card" aria-labelledby="actions-heading">
        <h2 id="actions-heading">Actions</h2>
        <div className="row wrap">
          {task.status === 'done' ? (
            <button type="button" className="btn" onClick={() => onDone(false)}>
              Reopen
            </button>
          ) : (
            <button type="button" className="btn" onClick={() => onDone(true)}>
              Complete
            </button>
          )}
          <button type="button" className="btn btn-danger" onClick={onDelete}>
            Delete
          </button>
          {task.series_id && (
            <Link className="btn" href={`/series/${task.series_id}`}>
              View series
            </Link>
          )}
        </div>
      </section>
      {task.reminders.length > 0 && <ReminderReceipts taskId={task.id} zone={zone} />}
    </aside>
  );
}
