'use client';

import Link from 'next/link';
import { useCallback, useEffect, useRef, useState } from 'react';
import { API_ROOT, ApiError, api } from '@/lib/api';
import { openNotificationStream, type StreamState } from '@/lib/notifications';
import { announceTasksChanged } from '@/lib/task-events';
import { relativeTime } from '@/lib/time';
import type { AppNotification } from '@/lib/types';

const SNOOZE_CHOICES = [
  { minutes: 10, label: 'Snooze 10 min' },
  { minutes: 60, label: 'Snooze 1 h' },
  { minutes: 24 * 60, label: 'Snooze 1 day' },
];

async function streamTicket(): Promise<string> {
  return (await api('POST /notifications/stream-ticket')).ticket;
}

const streamUrl = (ticket: string) => `${API_ROOT}/notifications/stream?ticket=${encodeURIComponent(ticket)}`;

/**
 * The bell: unread count, a list kept live by the notifications stream (SSE), browser notifications when
 * the user allowed them, and snooze / mark-done / mark-read on each item.
 */
export function NotificationBell() {
  const [items, setItems] = useState<AppNotification[]>([]);
  const [unread, setUnread] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState<StreamState>('connecting');
  const [open, setOpen] = useState(false);
  const [permission, setPermission] = useState<NotificationPermission | 'unsupported'>('default');
  const seen = useRef<Set<string> | null>(null);
  const panelRef = useRef<HTMLDivElement>(null);

  const load = useCallback(async () => {
    try {
      const list = await api('GET /notifications', { query: { limit: '30' } });
      const visible = list.items.filter((n) => !n.snoozed_until || new Date(n.snoozed_until) <= new Date());
      setItems(visible);
      setUnread(list.unread_count);
      setError(null);
      // Pop a browser notification for each new unread item (not for what was there at page load).
      if (seen.current && typeof Notification !== 'undefined' && Notification.permission === 'granted') {
        for (const n of visible) {
          if (!n.read_at && !seen.current.has(n.id)) new Notification(n.title, { body: n.body, tag: n.id });
        }
      }
      seen.current = new Set(visible.map((n) => n.id));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not load notifications.');
    }
  }, []);

  useEffect(() => {
    setPermission(typeof Notification === 'undefined' ? 'unsupported' : Notification.permission);
    void load();
    const refresh = () => void load();
    const close = openNotificationStream({
      onChange: refresh,
      onTasksChanged: announceTasksChanged,
      onState: setLive,
      ticket: streamTicket,
      url: streamUrl,
    });
    window.addEventListener('focus', refresh);
    return () => {
      close();
      window.removeEventListener('focus', refresh);
    };
  }, [load]);

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    const onClick = (e: MouseEvent) => {
      if (panelRef.current && !panelRef.current.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('mousedown', onClick);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('mousedown', onClick);
    };
  }, [open]);

  async function act(n: AppNotification, action: 'read' | 'done' | 'snooze', minutes = 0) {
    try {
      const params = { id: n.id };
      if (action === 'snooze') await api('POST /notifications/{id}/snooze', { params, body: { minutes } });
      else if (action === 'done') await api('POST /notifications/{id}/done', { params });
      else await api('POST /notifications/{id}/read', { params });
      await load();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'That did not work; try again.');
    }
  }

  async function enableBrowserNotifications() {
    if (typeof Notification === 'undefined') return;
    setPermission(await Notification.requestPermission());
  }

  const label = unread > 0 ? `Notifications, ${unread} unread` : 'Notifications';
  return (
    <div className="bell" ref={panelRef}>
      <button
        type="button"
        className="btn-icon bell-button"
        aria-label={label}
        aria-expanded={open}
        aria-controls="notification-panel"
        onClick={() => setOpen((o) => !o)}
      >
        <svg aria-hidden="true" width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor">
          <path strokeWidth="2" d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9M10 21h4" />
        </svg>
        {unread > 0 && (
          <span className="badge-count" data-testid="unread-count">
            {unread}
          </span>
        )}
      </button>
      {open && (
        <section id="notification-panel" className="bell-panel card" aria-label="Notifications">
          <header className="bell-head">
            <h2>Notifications</h2>
            <span className={`live-dot ${live}`} title={`Updates: ${live}`}>
              {live === 'live' ? 'Live' : live === 'connecting' ? 'Connecting…' : 'Offline'}
            </span>
          </header>
          {permission === 'default' && (
            <button type="button" className="btn btn-small" onClick={enableBrowserNotifications}>
              Enable browser notifications
            </button>
          )}
          {permission === 'denied' && (
            <p className="muted small">Browser notifications are blocked for this site.</p>
          )}
          {error && (
            <p className="alert alert-error" role="alert">
              {error}
            </p>
          )}
          {!error && items.length === 0 && (
            <p className="muted">No notifications. Reminders you set on tasks will appear here.</p>
          )}
          <ul className="bell-list">
            {items.map((n) => (
              <li key={n.id} className={n.read_at ? 'read' : 'unread'}>
                <div>
                  <strong>{n.title}</strong>
                  {n.body && <p className="small">{n.body}</p>}
                  <p className="muted small">
                    {relativeTime(n.created_at)}
                    {n.task_id && (
                      <>
                        {' · '}
                        <Link href={`/tasks/${n.task_id}`} onClick={() => setOpen(false)}>
                          Open task
                        </Link>
                      </>
                    )}
                  </p>
                </div>
                <div className="bell-actions">
                  <button type="button" className="btn btn-small" onClick={() => act(n, 'done')}>
                    Mark done
                    <span className="sr-only">: {n.title}</span>
                  </button>
                  {SNOOZE_CHOICES.map((c) => (
                    <button
                      key={c.minutes}
                      type="button"
                      className="btn btn-small"
                      onClick={() => act(n, 'snooze', c.minutes)}
                    >
                      {c.label}
                      <span className="sr-only">: {n.title}</span>
                    </button>
                  ))}
                  {!n.read_at && (
                    <button type="button" className="btn btn-small" onClick={() => act(n, 'read')}>
                      Mark read
                      <span className="sr-only">: {n.title}</span>
                    </button>
                  )}
                </div>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
