export type StreamState = 'connecting' | 'live' | 'offline';

export interface StreamHandlers {
  /** A notification arrived, or the server asks for a resync: reload the list. */
  onChange(): void;
  /**
   * Another member changed tasks of a shared project (or we were away and may have missed it): reload
   * what shows tasks. A burst (a project deleted, many completed at once) arrives as one call.
   */
  onTasksChanged(): void;
  onState(state: StreamState): void;
  /** Issues a ticket (the caller's authenticated API call). */
  ticket(): Promise<string>;
  /** The EventSource URL for a ticket. */
  url(ticket: string): string;
}

/** Task changes closer together than this reload the lists once. */
const TASKS_DEBOUNCE_MS = 250;

/** Waits between reconnects, growing while the server stays away. */
const RECONNECT_MS = [1000, 2000, 5000, 10_000, 30_000];

/**
 * The live stream (SSE). The access token never goes into a URL: each connection is opened with a
 * fresh single-purpose ticket, so EventSource's own reconnect (which would reuse an expired ticket) is
 * replaced by ours. Returns the function that closes it for good.
 */
export function openNotificationStream(h: StreamHandlers): () => void {
  let source: EventSource | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let failures = 0;
  let closed = false;
  let opened = false;
  let tasksTimer: ReturnType<typeof setTimeout> | null = null;
  const tasksChanged = () => {
    if (tasksTimer) return;
    tasksTimer = setTimeout(() => {
      tasksTimer = null;
      if (!closed) h.onTasksChanged();
    }, TASKS_DEBOUNCE_MS);
  };

  function retry() {
    if (closed) return;
    const wait = RECONNECT_MS[Math.min(failures, RECONNECT_MS.length - 1)] ?? 30_000;
    failures++;
    h.onState(failures > 2 ? 'offline' : 'connecting');
    timer = setTimeout(connect, wait);
  }

  async function connect() {
    timer = null;
    let ticket: string;
    try {
      ticket = await h.ticket();
    } catch {
      // No ticket: offline, or the session is gone (then the app is already on its way to /login).
      return retry();
    }
    if (closed) return;
    const es = new EventSource(h.url(ticket));
    source = es;
    es.onopen = () => {
      failures = 0;
      h.onState('live');
      // Back after a break: whatever arrived meanwhile was not pushed to us, so reload.
      if (opened) {
        h.onChange();
        tasksChanged();
      }
      opened = true;
    };
    es.onerror = () => {
      es.close();
      if (source === es) source = null;
      retry();
    };
    es.onmessage = () => h.onChange();
    es.addEventListener('notification', () => h.onChange());
    es.addEventListener('tasks', tasksChanged);
    es.addEventListener('resync', () => {
      h.onChange();
      tasksChanged();
    });
  }

  h.onState('connecting');
  void connect();
  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
    if (tasksTimer) clearTimeout(tasksTimer);
    source?.close();
  };
}
