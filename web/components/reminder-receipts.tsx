'use client';

import { useEffect, useState } from 'react';
import { ApiError, api, isMissingRoute } from '@/lib/api';
import { ReceiptList, type ReminderReceipt } from '@/lib/notifications';
import { formatDue } from '@/lib/time';

/** Delivery receipts for a task's reminders: scheduled → fired → sent, per channel, with lateness. */
export function ReminderReceipts({ taskId, token, zone }: { taskId: string; token: string; zone: string }) {
  const [items, setItems] = useState<ReminderReceipt[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api(`/tasks/${taskId}/reminders`, ReceiptList, { token })
      .then((r) => setItems(r.items))
      .catch((e) =>
        setError(
          isMissingRoute(e)
            ? 'Reminder receipts are not available on this server yet.'
            : e instanceof ApiError
              ? e.message
              : 'Could not load reminder receipts.',
        ),
      );
  }, [taskId, token]);

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
