'use client';

import { useEffect, useState } from 'react';
import { ApiError, api } from '@/lib/api';
import { formatDue } from '@/lib/time';
import type { ReminderReceipt } from '@/lib/types';

/** Delivery receipts for a task's reminders: scheduled → fired → sent, per channel, with lateness. */
export function ReminderReceipts({ taskId, zone }: { taskId: string; zone: string }) {
  const [items, setItems] = useState<ReminderReceipt[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api('GET /tasks/{id}/reminders', { params: { id: taskId } })
      .then((r) => setItems(r.items))
      .catch((e) => setError(e instanceof ApiError ? e.message : 'Could not load reminder receipts.'));
  }, [taskId]);

  return (
    <section className="card" aria-labelledby="receipts-heading">
      <h2 id="receipts-heading">Reminder receipts</h2>
      {error && <p className="field-error">{error}</p>}
      {items?.length === 0 && <p className="muted">No reminders scheduled yet.</p>}
      {items && items.length > 0 && (
        <table className="receipts">
          <thead>
            <tr>
              <th scope="col">For</th>
              <th scope="col">Channel</th>
              <th scope="col">Status</th>
              <th scope="col">Late by</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r, i) => (
              <tr key={r.id ?? `${r.occurrence_key}-${r.channel}-${i}`}>
                <td>{formatDue(r.scheduled_for, zone)}</td>
                <td>{r.channel}</td>
                <td>
                  <span className={`pill receipt-${r.status}`}>{r.status}</span>
                </td>
                <td>{r.lateness_ms == null ? '—' : `${(r.lateness_ms / 1000).toFixed(1)} s`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
