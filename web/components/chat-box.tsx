'use client';

import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import type { ApiAnswer } from '@/lib/api';

/** What POST /api/v1/chat/preview returns: what sending the line would do. */
type ChatPreview = ApiAnswer<'POST /chat/preview'>;
/** The task a typed line would create. */
type QuickAddPreview = Extract<ChatPreview, { kind: 'task' }>['task'];
/** What POST /api/v1/chat returns. */
type ChatReply = ApiAnswer<'POST /chat'>;

interface Turn {
  id: number;
  who: 'you' | 'assistant';
  text: string;
  error?: boolean;
}

export interface ChatBoxProps {
  /** The API root, e.g. `/api/v1` or `http://127.0.0.1:3000/api/v1`. */
  apiBase: string;
  /** fetch with the user's credentials (the page's session: access token, refreshed on a 401). */
  authFetch: (url: string, init: RequestInit) => Promise<Response>;
  timeZone: string;
  /** Called after a reply that changed tasks, so the page can refresh its lists. */
  onChange?: () => void;
}

const PREVIEW_DELAY_MS = 250;
/** How many earlier turns go with a message (the API takes up to 20). */
const HISTORY_TURNS = 12;
async function post<T>(
  authFetch: ChatBoxProps['authFetch'],
  url: string,
  body: unknown,
  signal?: AbortSignal,
): Promise<T> {
  const res = await authFetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(json?.detail ?? json?.title ?? `The server answered ${res.status}`);
  return json as T;
}

function formatDue(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat(undefined, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
  }).format(new Date(iso));
}

function reminderText(minutes: number): string {
  if (minutes === 0) return 'at due time';
  if (minutes % 1440 === 0) return `${minutes / 1440} d before`;
  if (minutes % 60 === 0) return `${minutes / 60} h before`;
  return `${minutes} min before`;
}

/** The parsed line, as the task it would become. */
function Preview({ preview }: { preview: QuickAddPreview }) {
  return (
    <dl className="preview chat-preview">
      <dt>Task</dt>
      <dd>{preview.title || <em>no title yet</em>}</dd>
      {preview.due_at && (
        <>
          <dt>Due</dt>
          <dd>
            {formatDue(preview.due_at, preview.time_zone)}{' '}
            <span className="muted">({preview.time_zone})</span>
          </dd>
        </>
      )}
      {preview.recurrence && (
        <>
          <dt>Repeats</dt>
          <dd>
            <code>{preview.recurrence.rule}</code>
            {preview.recurrence.mode === 'completion' ? ' from completion' : ''}
          </dd>
        </>
      )}
      {preview.reminders.length > 0 && (
        <>
          <dt>Reminders</dt>
          <dd>{preview.reminders.map(reminderText).join(', ')}</dd>
        </>
      )}
      {preview.tags.length > 0 && (
        <>
          <dt>Tags</dt>
          <dd>{preview.tags.map((t) => `#${t}`).join(' ')}</dd>
        </>
      )}
      {preview.priority !== 'medium' && (
        <>
          <dt>Priority</dt>
          <dd className={`prio-${preview.priority}`}>{preview.priority}</dd>
        </>
      )}
      {preview.notes.map((note) => (
        <dd key={note} className="muted">
          {note}
        </dd>
      ))}
    </dl>
  );
}

/**
 * The chat box: type a task the way you think it ("pay rent every month on the 1st 9am #bills !high") and
 * see what it will create while you type, or ask ("what's overdue?", "move the dentist to Friday").
 */
export function ChatBox({ apiBase, authFetch, timeZone, onChange }: ChatBoxProps) {
  const base = apiBase.replace(/\/$/, '');
  const inputId = useId();
  const previewId = useId();
  const [text, setText] = useState('');
  const [preview, setPreview] = useState<QuickAddPreview | null>(null);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [sending, setSending] = useState(false);
  const nextId = useRef(0);
  const logEnd = useRef<HTMLLIElement>(null);

  useEffect(() => {
    const line = text.trim();
    if (!line) {
      setPreview(null);
      return;
    }
    // The server says whether the line is a command or a task (one command table, not a copy here).
    const abort = new AbortController();
    const timer = setTimeout(() => {
      post<ChatPreview>(
        authFetch,
        `${base}/chat/preview`,
        { message: line, time_zone: timeZone },
        abort.signal,
      )
        .then((p) => setPreview(p.kind === 'task' ? p.task : null))
        .catch(() => setPreview(null));
    }, PREVIEW_DELAY_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [text, base, authFetch, timeZone]);

  useEffect(() => {
    if (turns.length) logEnd.current?.scrollIntoView?.({ block: 'nearest' });
  }, [turns]);

  const say = (who: Turn['who'], message: string, error = false) =>
    setTurns((all) => [...all, { id: nextId.current++, who, text: message, error }]);

  async function send(event: FormEvent) {
    event.preventDefault();
    const message = text.trim();
    if (!message || sending) return;
    say('you', message);
    setText('');
    setPreview(null);
    setSending(true);
    try {
      // The server keeps no chat state: the recent turns travel with the message (a model uses them).
      const history = turns
        .filter((t) => !t.error)
        .slice(-HISTORY_TURNS)
        .map((t) => ({ role: t.who === 'you' ? 'user' : 'assistant', content: t.text.slice(0, 4000) }));
      const reply = await post<ChatReply>(authFetch, `${base}/chat`, {
        message,
        time_zone: timeZone,
        history,
      });
      say('assistant', reply.reply);
      if (reply.changed) onChange?.();
    } catch (e) {
      say('assistant', `Sorry, that failed: ${(e as Error).message}`, true);
    } finally {
      setSending(false);
    }
  }

  return (
    <section className="chat-box" aria-label="Chat">
      <ol className="chat-log" aria-live="polite" aria-label="Conversation">
        {turns.length === 0 && (
          <li className="muted">
            Type a task (“Pay rent every month on the 1st at 9am remind me 1 day before #bills !high”) or ask
            “what’s overdue?”. Type “help” for more.
          </li>
        )}
        {turns.map((turn) => (
          <li key={turn.id} className={`chat-turn chat-${turn.who}`} role={turn.error ? 'alert' : undefined}>
            <span className="sr-only">{turn.who === 'you' ? 'You said: ' : 'Assistant: '}</span>
            <span style={{ whiteSpace: 'pre-line' }}>{turn.text}</span>
          </li>
        ))}
        <li ref={logEnd} aria-hidden="true" />
      </ol>
      <form onSubmit={send} className="chat-form">
        <label htmlFor={inputId}>Message or new task</label>
        <input
          id={inputId}
          type="text"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="e.g. Dentist next friday 3pm remind me 1 hour before"
          autoComplete="off"
          maxLength={2000}
          aria-describedby={preview ? previewId : undefined}
        />
        <button type="submit" className="btn btn-primary" disabled={sending || !text.trim()}>
          {sending ? 'Sending…' : 'Send'}
        </button>
      </form>
      {preview && (
        <div id={previewId} role="status" aria-label="Quick-add preview">
          <Preview preview={preview} />
        </div>
      )}
    </section>
  );
}

export default ChatBox;
