import { DateTime } from 'luxon';
import { visibleProjects } from '../projects/access.ts';
import { rescheduleTarget } from '../quick-add/dates.ts';
import { quickAddTask } from '../quick-add/quick-add-task.ts';
import { ProblemError } from '../runtime/errors.ts';
import { IdParam, type TaskOut } from '../schemas.ts';
import { listTags } from '../tags/tag-crud.ts';
import type { AgendaToday, AgendaUpcoming } from '../tasks/agenda-schemas.ts';
import { getTask, type TaskListing } from '../tasks/list-tasks.ts';
import { callTool, describeIssues } from './call-tool.ts';
import type { ChatAction, ChatContext, ChatReply, PendingAction } from './chat-schema.ts';
import { findTool } from './tools.ts';

export const OFFLINE_HELP = [
  'I can add tasks the way you type them, e.g. "Pay rent every month on the 1st at 9am remind me 1 day before #bills !high".',
  'Ask me: "what\'s on today?", "what\'s coming up?", "what\'s overdue?", "what\'s due tomorrow?", "list my tasks".',
  'Tell me: "move the dentist to Friday 3pm", "done with laundry", "reopen laundry", "skip standup", "delete laundry", "add subtask buy milk to groceries", "assign report to ana@example.com", "assigned to me".',
  'With an AI model configured (OPENAI_BASE_URL and OPENAI_API_KEY) I understand free-form requests too.',
].join('\n');

const OPEN = ['todo', 'in_progress'] as const;

/** One chat turn without a model: a handful of commands, and anything else is a quick-add. */
export async function offlineChat(ctx: ChatContext, message: string): Promise<ChatReply> {
  const actions: ChatAction[] = [];
  const answered = await answer(ctx, message.trim(), actions);
  const { reply, pending } =
    typeof answered === 'string' ? { reply: answered, pending: undefined } : answered;
  return { reply, actions, changed: changedData(actions), mode: 'offline', ...(pending && { pending }) };
}

export function changedData(actions: ChatAction[]): boolean {
  return actions.some((a) => a.ok && !findTool(a.tool)?.annotations.readOnlyHint);
}

async function act(ctx: ChatContext, actions: ChatAction[], tool: string, input: Record<string, unknown>) {
  const outcome = await callTool(ctx, tool, input, ctx.log);
  actions.push(
    outcome.ok
      ? { tool, input, ok: true, result: outcome.result }
      : { tool, input, ok: false, error: outcome.error },
  );
  return outcome;
}

function when(task: TaskOut, ctx: ChatContext): string {
  if (!task.due_at) return '';
  const due = DateTime.fromISO(task.due_at, { zone: ctx.timeZone });
  const overdue = task.status !== 'done' && due.toMillis() < ctx.now.getTime() ? ', overdue' : '';
  return ` — due ${due.toFormat('ccc d LLL HH:mm')}${overdue}`;
}

/** "2/5 done" for a task with subtasks; nothing for one without (or a subtask). */
const progress = (t: TaskOut) => (t.subtasks?.total ? ` [${t.subtasks.done}/${t.subtasks.total} done]` : '');

const line = (t: TaskOut, ctx: ChatContext) =>
  `• ${t.title}${when(t, ctx)}${t.priority === 'high' ? ' (high)' : ''}${t.recurrence ? ' ↻' : ''}${progress(t)}`;

/**
 * "add subtask buy milk to groceries": the title as typed (no quick-add parsing: a subtask is a checklist
 * line, and its words such as "tomorrow" stay in it), under the one open task the rest names. The split
 * is at the last " to " / " under ", so a title may contain "to" ("send invite to Bob to party").
 */
async function addSubtask(ctx: ChatContext, actions: ChatAction[], title: string, parentPhrase: string) {
  const parent = await findTask(ctx, actions, parentPhrase, OPEN);
  if (typeof parent === 'string') return parent;
  const outcome = await act(ctx, actions, 'add_task', { title, parent: parent.id });
  if (!outcome.ok) return outcome.error;
  const counts = (await getTask(ctx.db, ctx.userId, parent.id))?.subtasks;
  return `Added "${(outcome.result as TaskOut).title}" under "${parent.title}"${counts ? ` (${counts.done}/${counts.total} done)` : ''}.`;
}

/** "assign X to ana@example.com" / "to me", or "unassign X" (to null): one open task the phrase names. */
async function assign(ctx: ChatContext, actions: ChatAction[], phrase: string, to: string | null) {
  const task = await findTask(ctx, actions, phrase, OPEN);
  if (typeof task === 'string') return task;
  const outcome = await act(ctx, actions, 'update_task', { id: task.id, assignee: to });
  if (!outcome.ok) return outcome.error;
  if (to === null) return `"${task.title}" is assigned to nobody now.`;
  if (to.toLowerCase() === 'me') return `Assigned "${task.title}" to you; its reminders are yours now.`;
  return `Assigned "${task.title}" to ${to}; they get its reminders now.`;
}

async function listing(
  ctx: ChatContext,
  actions: ChatAction[],
  input: Record<string, unknown>,
  empty: string,
  heading: string,
) {
  const outcome = await act(ctx, actions, 'list_tasks', { sort_by: 'due_date', limit: 20, ...input });
  if (!outcome.ok) return outcome.error;
  const { items, next_cursor } = outcome.result as TaskListing;
  if (!items.length) return empty;
  const more = next_cursor ? '\n…and more.' : '';
  return `${heading.replace('{n}', String(items.length))}\n${items.map((t) => line(t, ctx)).join('\n')}${more}`;
}

/** Today: the overdue tasks, then today's, in the chat's zone (the `today` tool, as the Today view). */
async function todayView(ctx: ChatContext, actions: ChatAction[]): Promise<string> {
  const outcome = await act(ctx, actions, 'today', { time_zone: ctx.timeZone });
  if (!outcome.ok) return outcome.error;
  const { overdue, today, truncated } = outcome.result as AgendaToday;
  if (!overdue.length && !today.length) return 'Nothing is due today, and nothing is overdue.';
  const section = (heading: string, tasks: TaskOut[]) =>
    tasks.length ? [`${heading} (${tasks.length}):`, ...tasks.map((t) => line(t, ctx))] : [];
  return [
    ...section('Overdue', overdue),
    ...section('Today', today),
    ...(today.length ? [] : ['Nothing else is due today.']),
    ...(truncated ? ['…and more.'] : []),
  ].join('\n');
}

/**
 * Upcoming: each day of the next `days` that has something, its tasks and the occurrences recurring
 * tasks will create merged by time (the `upcoming` tool, as the Upcoming view).
 */
async function upcomingView(ctx: ChatContext, actions: ChatAction[], days: number): Promise<string> {
  const outcome = await act(ctx, actions, 'upcoming', { days, time_zone: ctx.timeZone });
  if (!outcome.ok) return outcome.error;
  const result = outcome.result as AgendaUpcoming;
  const span = days === 1 ? 'today' : `in the next ${days} days`;
  const at = (iso: string) => DateTime.fromISO(iso, { zone: ctx.timeZone });
  const lines: string[] = [];
  let count = 0;
  for (const [i, day] of result.days.entries()) {
    const entries = [
      ...day.tasks.map((t) => ({
        due: t.due_at!,
        text: `${t.title}${t.priority === 'high' ? ' (high)' : ''}${t.recurrence ? ' ↻' : ''}`,
      })),
      ...day.occurrences.map((o) => ({
        due: o.due_at,
        text: `${o.title}${o.priority === 'high' ? ' (high)' : ''} ↻ (repeats)`,
      })),
    ].sort((a, b) => Date.parse(a.due) - Date.parse(b.due));
    if (!entries.length) continue;
    count += entries.length;
    const name = i === 0 ? ' (today)' : i === 1 ? ' (tomorrow)' : '';
    lines.push(`${at(`${day.date}T12:00:00`).toFormat('ccc d LLL')}${name}:`);
    lines.push(...entries.map((e) => `• ${at(e.due).toFormat('HH:mm')} ${e.text}`));
  }
  if (!count) return `Nothing is coming up ${span}.`;
  return [`Coming up ${span} (${count}):`, ...lines, ...(result.truncated ? ['…and more.'] : [])].join('\n');
}

function dayRange(ctx: ChatContext, which: string): { from: DateTime; to: DateTime } {
  const today = DateTime.fromJSDate(ctx.now, { zone: ctx.timeZone }).startOf('day');
  if (which === 'tomorrow')
    return { from: today.plus({ days: 1 }), to: today.plus({ days: 1 }).endOf('day') };
  if (which === 'this week') return { from: today, to: today.endOf('week') };
  return { from: today, to: today.endOf('day') };
}

/** "the dentist" → the one open task about the dentist, or a reply saying why not. */
async function findTask(
  ctx: ChatContext,
  actions: ChatAction[],
  phrase: string,
  status: readonly string[] | undefined,
): Promise<TaskOut | string> {
  const name = phrase
    .replace(/^(?:the|my|a|an)\s+/i, '')
    .replace(/\s+(?:task|todo)$/i, '')
    .replace(/^["'“]|["'”]$/g, '')
    .trim();
  if (!name) return 'Which task? Use part of its title, e.g. "done with laundry".';
  const outcome = await act(ctx, actions, 'list_tasks', {
    search: name,
    ...(status ? { status } : {}),
    sort_by: 'title',
    limit: 10,
  });
  if (!outcome.ok) return outcome.error;
  const { items } = outcome.result as TaskListing;
  const exact = items.filter((t) => t.title.toLowerCase() === name.toLowerCase());
  if (exact.length === 1) return exact[0]!;
  if (items.length === 1) return items[0]!;
  const which = status?.includes('done') && status.length === 1 ? 'a done' : status ? 'an open' : 'a';
  if (!items.length) return `I couldn't find ${which} task matching "${name}".`;
  const shown = items.slice(0, 5).map((t) => line(t, ctx));
  return `Several tasks match "${name}":\n${shown.join('\n')}\nWhich one? Use more of its title.`;
}

async function quickAdd(ctx: ChatContext, actions: ChatAction[], text: string): Promise<string> {
  try {
    const { task, parse } = await quickAddTask(ctx, { text, time_zone: ctx.timeZone }, ctx.now);
    actions.push({ tool: 'add_task', input: { text }, ok: true, result: task });
    const details = [
      task.recurrence &&
        `repeats ${task.recurrence.rule}${task.recurrence.mode === 'completion' ? ' (from completion)' : ''}`,
      task.reminders.length && `reminders ${task.reminders.map((m) => `${m} min`).join(', ')} before`,
      task.tags.length && task.tags.map((t) => `#${t.name}`).join(' '),
      task.priority !== 'medium' && `${task.priority} priority`,
    ].filter(Boolean);
    const notes = parse.notes.length ? `\n${parse.notes.join('\n')}` : '';
    return `Added "${task.title}"${when(task, ctx)}${details.length ? ` (${details.join('; ')})` : ''}.${notes}`;
  } catch (e) {
    if (!(e instanceof ProblemError)) throw e;
    const error = e.errors?.map((f) => f.message).join('; ') ?? e.detail ?? e.title;
    actions.push({ tool: 'add_task', input: { text }, ok: false, error });
    return `I couldn't add that: ${error}.`;
  }
}

/** A reply, or a question that leaves a destructive action waiting for the user's yes. */
type Answer = string | { reply: string; pending: PendingAction };

interface Command {
  /** Matched against the lower-cased message without its trailing punctuation. */
  pattern: RegExp;
  /** `text` is the message as typed; match indexes line up with it. */
  run(ctx: ChatContext, actions: ChatAction[], m: RegExpExecArray, text: string): Promise<Answer> | Answer;
}

const DELETE = /^(?:delete|remove|drop|trash|get rid of)\s+(.+)$/;

/*
 * Confirmation before a destructive tool (delete a task, delete a tag), for the offline commands and the
 * model alike: the tool does not run in the turn that proposes it. That turn ends with a question the
 * server writes, naming what would go (title and due date, or the tag's name); the client sends it back as
 * the last assistant turn of `history`, and a "yes" right after it runs the deletion. The server keeps no
 * chat state (any replica, or a cold start, answers the "yes"), so the question itself is the pending
 * confirmation: it is looked up again by the name and due date it shows, and if that no longer finds
 * exactly one task the user is asked again rather than something else being deleted.
 */
const CONFIRM_HINT = 'Say "yes" to delete it, or anything else to keep it.';
const CONFIRM_QUESTION = /^Delete (the tag )?"(.+)"((?: — [^?\n]*)?)\? Say "yes" to delete it/;
const YES = /^(?:yes|y|yep|yes please|yes,? delete it|confirm|do it)$/;

/** "yes" and its variants, as the command table reads them. */
export const isYes = (message: string) => YES.test(normalise(message.trim()).toLowerCase());

/** What a due date reads as in the question, without "overdue", which can change between the turns. */
const dueText = (task: TaskOut, ctx: ChatContext) => when(task, ctx).replace(/, overdue$/, '');

const askToDeleteTask = (task: TaskOut, ctx: ChatContext) => ({
  reply: `Delete "${task.title}"${when(task, ctx)}? ${CONFIRM_HINT}`,
  pending: { tool: 'delete_task', input: { id: task.id } },
});

/** The tools a chat never runs without the user's yes: the ones annotated destructive. */
export const needsConfirmation = (tool: string) => findTool(tool)?.annotations.destructiveHint === true;

/**
 * The question for a destructive call a model proposed, or why it cannot be asked (an id that is not the
 * caller's, bad arguments): that goes back to the model as the call's result, and nothing runs.
 */
export async function confirmationQuestion(
  ctx: ChatContext,
  tool: string,
  input: unknown,
): Promise<{ ok: true; reply: string; pending: PendingAction } | { ok: false; error: string }> {
  const checked = findTool(tool)?.input.safeParse(input);
  if (checked && !checked.success)
    return { ok: false, error: `Invalid arguments: ${describeIssues(checked.error)}` };
  const args = IdParam.safeParse(input);
  // Only deletions by id are destructive today; another one fails closed rather than running unasked.
  if (!args.success || !['delete_task', 'delete_tag'].includes(tool))
    return { ok: false, error: `${tool} needs the user's confirmation, which this chat cannot ask for.` };
  const { id } = args.data;
  if (tool === 'delete_task') {
    const task = await getTask(ctx.db, ctx.userId, id);
    if (!task)
      return {
        ok: false,
        error: `Task ${id} not found: no task with that id belongs to you; call list_tasks to find its id.`,
      };
    return { ok: true, ...askToDeleteTask(task, ctx) };
  }
  const tag = (await listTags(ctx.db, ctx.userId)).find((t) => t.id === id);
  if (!tag)
    return {
      ok: false,
      error: `Tag ${id} not found: no tag with that id belongs to you; call list_tags to find its id.`,
    };
  return {
    ok: true,
    reply: `Delete the tag "${tag.name}"? ${CONFIRM_HINT}`,
    pending: { tool: 'delete_tag', input: { id } },
  };
}

/**
 * Runs the deletion the last assistant turn asked about, now that the user said yes; undefined when that
 * turn asked nothing (the caller then treats "yes" as any other message).
 */
export async function confirmPending(ctx: ChatContext, actions: ChatAction[]): Promise<string | undefined> {
  const last = ctx.history?.at(-1);
  const asked = last?.role === 'assistant' ? CONFIRM_QUESTION.exec(last.content) : null;
  if (!asked) return undefined;
  const [, isTag, name = '', due = ''] = asked;
  if (isTag) {
    const tag = (await listTags(ctx.db, ctx.userId)).find((t) => t.name === name);
    if (!tag) return `I couldn't find the tag "${name}" any more; nothing was deleted.`;
    const outcome = await act(ctx, actions, 'delete_tag', { id: tag.id });
    return outcome.ok ? `Deleted the tag "${name}".` : outcome.error;
  }
  const rows = await ctx.db
    .selectFrom('tasks')
    .select('id')
    .where('project_id', 'in', visibleProjects(ctx.userId))
    .where('title', '=', name)
    .limit(20)
    .execute();
  const tasks = (await Promise.all(rows.map((r) => getTask(ctx.db, ctx.userId, r.id)))).filter(
    (t): t is TaskOut => t !== null && dueText(t, ctx) === due.replace(/, overdue$/, ''),
  );
  if (!tasks.length) return `I couldn't find "${name}"${due} any more; nothing was deleted.`;
  if (tasks.length > 1)
    return `Several tasks are "${name}"${due}; nothing was deleted. Rename one, or delete it in the list.`;
  const outcome = await act(ctx, actions, 'delete_task', { id: tasks[0]!.id });
  return outcome.ok ? `Deleted "${name}".` : outcome.error;
}

/** The phrase a group captured, in the case the user typed it. */
const typed = (m: RegExpExecArray, text: string, group: number) => {
  const value = m[group] ?? '';
  const at = m.index + m[0].indexOf(value);
  return text.slice(at, at + value.length);
};

const iso = (d: DateTime) => d.toISO({ suppressMilliseconds: true });

/** Tried in order; the first match answers. Anything unmatched that is not a question is a quick-add. */
const COMMANDS: Command[] = [
  {
    pattern: /^(?:help|commands|what can you do|what do you do|how does this work|hi|hello|hey)?$/,
    run: () => OFFLINE_HELP,
  },
  {
    pattern: /^(?:help|commands|what can you do|hi|hello|hey)\b/,
    run: () => OFFLINE_HELP,
  },
  {
    // Before the quick-add below, which would take the whole line as a task's title.
    pattern: /^(?:add|new|create)\s+(?:a\s+)?subtask:?\s+(.+)\s+(?:to|under)\s+(.+)$/,
    run: (ctx, actions, m, text) => addSubtask(ctx, actions, typed(m, text, 1), typed(m, text, 2)),
  },
  {
    // "assign the report to ana@example.com" / "... to me"; split at the last " to ".
    pattern: /^assign\s+(.+)\s+to\s+(me|\S+@\S+)$/,
    run: (ctx, actions, m, text) => assign(ctx, actions, typed(m, text, 1), typed(m, text, 2)),
  },
  {
    pattern: /^unassign\s+(.+)$/,
    run: (ctx, actions, m, text) => assign(ctx, actions, typed(m, text, 1), null),
  },
  {
    pattern:
      /^(?:(?:what(?:'s| is)|what are|show|list)(?: me)?(?: the)?(?: tasks| things)? assigned to me|assigned to me|my assignments|(?:show|list)(?: me)? my assigned tasks)$/,
    run: (ctx, actions) =>
      listing(
        ctx,
        actions,
        { assignee: 'me', status: OPEN },
        'Nothing is assigned to you.',
        'Assigned to you ({n}):',
      ),
  },
  {
    pattern: /^(?:add|new task|new|todo|create|task)\b:?\s+(.+)$/,
    run: (ctx, actions, m, text) => quickAdd(ctx, actions, typed(m, text, 1)),
  },
  {
    pattern: /^(?:move|reschedule|postpone|push|shift)\s+(.+?)\s+(?:to|until|till)\s+(.+)$/,
    run: async (ctx, actions, m, text) => {
      const task = await findTask(ctx, actions, typed(m, text, 1), OPEN);
      if (typeof task === 'string') return task;
      const target = typed(m, text, 2);
      const due = rescheduleTarget(target, ctx, task.due_at ? new Date(task.due_at) : null);
      if (!due) return `I couldn't read "${target}" as a date; try "friday 3pm" or "in 2 days".`;
      const due_at = iso(DateTime.fromJSDate(due, { zone: ctx.timeZone }));
      const outcome = await act(ctx, actions, 'update_task', { id: task.id, due_at });
      if (!outcome.ok) return outcome.error;
      return `Moved "${task.title}"${when(outcome.result as TaskOut, ctx).replace(' — due', ' to')}.`;
    },
  },
  {
    pattern: /^(?:reopen|undo|uncomplete|not done(?: with)?)\b\s*(.*)$|^mark\s+(.+?)\s+(?:as\s+)?not done$/,
    run: async (ctx, actions, m, text) => {
      const task = await findTask(ctx, actions, typed(m, text, m[2] ? 2 : 1), ['done']);
      if (typeof task === 'string') return task;
      const outcome = await act(ctx, actions, 'reopen_task', { id: task.id });
      return outcome.ok ? `Reopened "${task.title}".` : outcome.error;
    },
  },
  {
    pattern:
      /^(?:i'?m\s+)?(?:done with|finished|i finished|i did|complete|completed|check off|tick off|mark)\s+(.+?)(?:\s+as\s+(?:done|complete|completed)|\s+done)?$|^(.+?)\s+is\s+(?:done|finished|complete|completed)$/,
    run: async (ctx, actions, m, text) => {
      const task = await findTask(ctx, actions, typed(m, text, m[1] ? 1 : 2), OPEN);
      if (typeof task === 'string') return task;
      const outcome = await act(ctx, actions, 'complete_task', { id: task.id });
      if (!outcome.ok) return outcome.error;
      // Its open subtasks stay open (the tool's default): say so, rather than ask, in a chat.
      const counts = (outcome.result as TaskOut).subtasks;
      const open = counts ? counts.total - counts.done : 0;
      const left = open ? ` ${open} of its subtasks ${open === 1 ? 'is' : 'are'} still open.` : '';
      return `Done: "${task.title}".${task.recurrence ? ' The next one will be scheduled.' : ''}${left}`;
    },
  },
  {
    pattern: /^skip\s+(?:this\s+|the\s+next\s+|next\s+)?(.+?)(?:\s+this time|\s+once)?$/,
    run: async (ctx, actions, m, text) => {
      const task = await findTask(ctx, actions, typed(m, text, 1), OPEN);
      if (typeof task === 'string') return task;
      if (!task.series_id || !task.recurrence)
        return `"${task.title}" does not repeat; there is nothing to skip.`;
      const outcome = await act(ctx, actions, 'skip_occurrence', { series_id: task.series_id });
      return outcome.ok
        ? `Skipped this "${task.title}"; the series moves on to the next one.`
        : outcome.error;
    },
  },
  {
    // Deleting cannot be undone, so it is asked first; the "yes" below finds the question in the history.
    pattern: DELETE,
    run: async (ctx, actions, m, text) => {
      const task = await findTask(ctx, actions, typed(m, text, 1), undefined);
      if (typeof task === 'string') return task;
      return askToDeleteTask(task, ctx);
    },
  },
  {
    pattern: YES,
    run: async (ctx, actions) =>
      (await confirmPending(ctx, actions)) ??
      'There is nothing waiting for a yes. Say what to do, e.g. "delete laundry".',
  },
  {
    // The Today view: overdue and today's tasks. "what's due today" stays the plain listing below.
    pattern:
      /^(?:today|today's (?:tasks|list|agenda|plan)|(?:my |the )?agenda(?: for today)?|my day|(?:what's|whats|what is|what) on(?: for)? today|what(?:'s| is) (?:my day|today) look(?:ing)? like|what do i (?:have|need to do|have to do)(?: on)?(?: for)? today|(?:show|list)(?: me)?(?: my)? today(?:'s tasks)?)$/,
    run: (ctx, actions) => todayView(ctx, actions),
  },
  {
    // The Upcoming view: the next days with their tasks and the occurrences recurring tasks will create.
    pattern:
      /^(?:upcoming(?: tasks)?|coming up|this week|(?:the )?next (\d{1,2}|seven) days|(?:what's|whats|what is|what) (?:coming up|upcoming|ahead|on this week|on for this week)(?: this week)?|what do i have(?: on| to do)?(?: for)? (?:this week|coming up|the week)|(?:show|list)(?: me)?(?: my)? (?:upcoming(?: tasks)?|this week|the week(?: ahead)?|the next (\d{1,2}|seven) days))$/,
    run: (ctx, actions, m) => {
      const asked = m[1] ?? m[2];
      const days = !asked || asked === 'seven' ? 7 : Math.min(31, Math.max(1, Number(asked)));
      return upcomingView(ctx, actions, days);
    },
  },
  {
    // A question or a listing about overdue tasks, not any line that mentions the word: "pay overdue
    // invoice friday" is a task to add.
    pattern:
      /^(?:overdue(?: tasks| items)?|(?:what|what's|whats|show|list|anything|any|do i|is|are|which|how many)\b.*\boverdue\b.*)$/,
    run: (ctx, actions) =>
      listing(ctx, actions, { overdue: true, status: OPEN }, 'Nothing is overdue.', 'Overdue ({n}):'),
  },
  {
    pattern:
      /^(?:what|what's|whats|show|list|anything|any|do i|is there|due)\b.*\b(today|tomorrow|this week)$/,
    run: (ctx, actions, m) => {
      const { from, to } = dayRange(ctx, m[1]!);
      const range = { due_from: iso(from), due_to: iso(to), status: OPEN };
      return listing(ctx, actions, range, `Nothing is due ${m[1]}.`, `Due ${m[1]} ({n}):`);
    },
  },
  {
    pattern:
      /^(?:(?:list|show)(?: me)?(?: all)?(?: my)?(?: open)? (?:tasks|todos|to-dos|list)|my tasks|tasks|what(?:'s| is) on my (?:list|plate))$/,
    run: (ctx, actions) =>
      listing(ctx, actions, { status: OPEN }, 'You have no open tasks.', 'Open tasks ({n}):'),
  },
  {
    pattern: /^(?:what|how|why|when|who|which|can|could|would|is|are|do|does)\b/,
    run: () => `I didn't catch that.\n${OFFLINE_HELP}`,
  },
];

/** The line as the command table reads it: trailing punctuation gone, typographic apostrophes plain. */
const normalise = (message: string) => message.replace(/[?.!\s]+$/, '').replace(/’/g, "'");

/** The command a line is, with its match; none means a quick-add (or, for a question, a shrug). */
function matchCommand(text: string) {
  const lower = text.toLowerCase();
  for (const command of COMMANDS) {
    const m = command.pattern.exec(lower);
    if (m) return { command, m };
  }
  return null;
}

/** What the offline chat would do with this line: run a command, or add it as a task. */
export function offlineIntent(message: string): 'command' | 'quick-add' {
  const trimmed = message.trim();
  return matchCommand(normalise(trimmed)) || /\?\s*$/.test(trimmed) ? 'command' : 'quick-add';
}

async function answer(ctx: ChatContext, message: string, actions: ChatAction[]): Promise<Answer> {
  const text = normalise(message);
  const found = matchCommand(text);
  if (found) return found.command.run(ctx, actions, found.m, text);
  if (/\?\s*$/.test(message)) return `I didn't catch that.\n${OFFLINE_HELP}`;
  return quickAdd(ctx, actions, text);
}
