import { type ChannelListener, LiveTaskChange, type Logger, listenToChannel } from '@todo/core';
import {
  LIVE_NOTIFICATIONS_CHANNEL,
  LiveNotification,
  type NotificationOut,
} from '@todo/core/reminders/notifications';

export type LiveMessage =
  | { kind: 'notification'; notification: NotificationOut }
  /** Someone else changed tasks of a project this user is a member of: refetch what shows it. */
  | { kind: 'tasks'; project_id: string }
  | { kind: 'resync' };
type Subscriber = (message: LiveMessage) => void;

export interface LiveHub {
  /** Resolves once LISTEN is in place, so nothing committed after it can be missed. */
  subscribe(userId: string, send: Subscriber): Promise<() => void>;
  readonly listening: boolean;
  close(): Promise<void>;
}

/**
 * Fans Postgres NOTIFYs out to the SSE connections of the user they belong to — a notification to its
 * user, a task change to the connected members of its project. One dedicated connection
 * (core's listenToChannel) LISTENs while anyone is connected and is released when the last one leaves.
 * If that connection drops, it is re-established and every subscriber is told to resync (refetch), since
 * a NOTIFY sent while we were not listening is gone.
 */
/** Which of `userIds` are members of the project now (asked at delivery, so a removed member hears nothing). */
export type MembersAmong = (projectId: string, userIds: string[]) => Promise<string[]>;

export function createLiveHub(opts: {
  databaseUrl: string;
  log: Logger;
  retryMs?: number;
  membersAmong?: MembersAmong;
}): LiveHub {
  const subscribers = new Map<string, Set<Subscriber>>();
  let listener: ChannelListener | undefined;
  let count = 0;

  const broadcast = (message: LiveMessage) => {
    for (const set of subscribers.values()) for (const send of set) send(message);
  };

  function onNotification(payloadText: string | undefined) {
    if (!payloadText) return;
    // Anyone who can pg_notify on this channel can send anything: a payload that is not JSON is skipped
    // like one of the wrong shape (a throw here would escape the client's event emitter and end the process).
    let payload: unknown;
    try {
      payload = JSON.parse(payloadText);
    } catch {
      opts.log.warn('ignoring a live notification that is not JSON', { bytes: payloadText.length });
      return;
    }
    if ((payload as { kind?: unknown } | null)?.kind === 'task_change') {
      const change = LiveTaskChange.safeParse(payload);
      if (change.success) void fanOutTaskChange(change.data);
      else opts.log.warn('ignoring a malformed live task change', { issues: change.error.issues.length });
      return;
    }
    const parsed = LiveNotification.safeParse(payload);
    if (!parsed.success) {
      opts.log.warn('ignoring a malformed live notification', { issues: parsed.error.issues.length });
      return;
    }
    for (const send of subscribers.get(parsed.data.user_id) ?? [])
      send({ kind: 'notification', notification: parsed.data.notification });
  }

  /**
   * A task change goes to the connected members of its project other than whoever made it (their own
   * page already shows it). Membership is asked now, for the users connected here only.
   */
  async function fanOutTaskChange(change: LiveTaskChange) {
    const connected = [...subscribers.keys()].filter((id) => id !== change.actor_id);
    if (!connected.length || !opts.membersAmong) return;
    let members: string[];
    try {
      members = await opts.membersAmong(change.project_id, connected);
    } catch (e) {
      opts.log.warn('could not look up the members of a changed project; not pushed', { err: e });
      return;
    }
    for (const userId of members)
      for (const send of subscribers.get(userId) ?? [])
        send({ kind: 'tasks', project_id: change.project_id });
  }

  /** The one LISTEN connection, opened by the first subscriber; a first connection that fails is thrown. */
  async function listen(): Promise<void> {
    if (!listener) {
      const opened = listenToChannel({
        databaseUrl: opts.databaseUrl,
        channel: LIVE_NOTIFICATIONS_CHANNEL,
        onNotify: onNotification,
        onListening: (reconnected) => reconnected && broadcast({ kind: 'resync' }),
        log: opts.log,
        retryMs: opts.retryMs,
        failFast: true,
      });
      listener = opened;
      opened.ready.catch(() => {
        if (listener === opened) listener = undefined;
      });
    }
    await listener.ready;
  }

  async function release() {
    if (count > 0) return;
    const l = listener;
    listener = undefined;
    await l?.close();
  }

  return {
    get listening() {
      return listener?.listening ?? false;
    },
    async subscribe(userId, send) {
      count++;
      const set = subscribers.get(userId) ?? new Set<Subscriber>();
      subscribers.set(userId, set);
      set.add(send);
      let gone = false;
      const unsubscribe = () => {
        if (gone) return;
        gone = true;
        count--;
        set.delete(send);
        if (!set.size) subscribers.delete(userId);
        void release();
      };
      try {
        await listen();
      } catch (e) {
        unsubscribe();
        throw e;
      }
      return unsubscribe;
    },
    async close() {
      subscribers.clear();
      count = 0;
      await release();
    },
  };
}
