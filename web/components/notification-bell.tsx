'use client';

import Link from 'next/link';
import { useCallback, useEffect, useRef, useState } from 'react';
import { API_ROOT, ApiError, api, isMissingRoute } from '@/lib/api';
import { type AppNotification, NotificationList } from '@/lib/notifications';
import { relativeTime } from '@/lib/time';
import { Nothing, type Session } from '@/lib/types';

const SNOOZE_CHOICES = [
  { minutes: 10, label: 'Snooze 10 min' },
  { minutes: 60, label: 'Snooze 1 h' },
  { minutes: 24 * 60, label: 'Snooze 1 day' },
];

type Live = 'connecting' | 'live' | 'offline';

/**
 * The bell: unread count, a list kept live by the notifications stream (SSE), browser notifications when
 * the user allowed them, and snooze / mark-done / mark-read on each item.
 */
export function NotificationBell({ session }: { session: Session }) {
  const [items, setItems] = useState<AppNotification[]>([]);
  const [unread, setUnread] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState<Live>('connecting');
  const [open, setOpen] = useState(false);
  const [permission, setPermission] = useState<NotificationPermission | 'unsupported'>('default');
  const seen = useRef<Set<string> | null>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const token = session.token;

  const load = useCallback(async () => {
    try {
      const list = await api('/notifications', NotificationList, { token, query: { limit: '30' } });
      const visible = list.items.filter((n) => !n.snoozed_until || new Date(n.snoozed_until) <= new Date());
      setItems(visible);
      setUnread(list.unread_count ?? visible.filter((n) => !n.read_at).length);
      setError(null);
      // Pop a browser notification for each new unread item (not for what was there at page load).
      if (seen.current && typeof Notification !== 'undefined' && Notification.permission === 'granted') {
        for (const n of visible) {
          if (!n.read_at && !seen.current.has(n.id))
            new Notification(n.title, { body: n.body ?? '', tag: n.id });
        }
      }
      seen.current = new Set(visible.map((n) => n.id));
    } catch (e) {
      setError(
        isMissingRoute(e)
          ? 'Notifications are not available on this server yet.'
          : e instanceof ApiError
            ? e.message
            : 'Could not load notifications.',
      );
    }
  }, [token]);

  useEffect(() => {
    setPermission(typeof Notification === 'undefined' ? 'unsupported' : Notification.permission);
    void load();
    const source = new EventSource(`${API_ROOT}/notifications/stream?token=${encodeURIComponent(token)}`);
    const refresh = () => void load();
    source.onopen = () => setLive('live');
    source.onerror = () => setLive(source.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
    source.onmessage = refresh;
    source.addEventListener('notification', refresh);
    source.addEventListener('resync', refresh);
    window.addEventListener('focus', refresh);
    return () => {
      source.close();
      window.removeEventListener('focus', refresh);
    };
  }, [load, token]);

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

  async function act(n: AppNotification, action: 'read' | 'done' | 'snooze', minutes?: number) {
    try {
      await api(`/notifications/${n.id}/${action}`, Nothing, {
        method: 'POST',
        token,
        body: action === 'snooze' ? { minutes } : undefined,
      });
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
                    {n.late_ms ? ` · ${Math.round(n.late_ms / 1000)} s late` : ''}
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
