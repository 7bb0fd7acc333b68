import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Config } from '../runtime/config.ts';
import { callTool } from './call-tool.ts';
import type { ChatAction, ChatContext, ChatReply, ChatTurn } from './chat-schema.ts';
import {
  changedData,
  confirmationQuestion,
  confirmPending,
  isYes,
  needsConfirmation,
  offlineChat,
} from './offline-chat.ts';
import { TASK_TOOLS } from './tools.ts';

export interface LlmSettings {
  /** An OpenAI-compatible API root, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1. */
  baseUrl: string;
  apiKey: string;
  model: string;
  /** One model call at most (ms). */
  timeoutMs?: number;
  /** Tool calls one turn may run (CHAT_MAX_TOOL_CALLS). */
  maxToolCalls?: number;
  /** The whole turn, model calls and tools (CHAT_TURN_DEADLINE_MS). */
  turnDeadlineMs?: number;
}

/** The model settings when both the endpoint and the key are configured; otherwise chat runs offline. */
export function llmSettings(config: Config): LlmSettings | undefined {
  if (!config.OPENAI_BASE_URL || !config.OPENAI_API_KEY) return undefined;
  return {
    baseUrl: config.OPENAI_BASE_URL,
    apiKey: config.OPENAI_API_KEY,
    model: config.OPENAI_MODEL,
    maxToolCalls: config.CHAT_MAX_TOOL_CALLS,
    turnDeadlineMs: config.CHAT_TURN_DEADLINE_MS,
  };
}

/** A tool round trip takes one model call; a turn that needs more than this many is going in circles. */
const MAX_ROUNDS = 6;

const ToolCall = z.object({
  id: z.string(),
  function: z.object({ name: z.string(), arguments: z.string().default('{}') }),
});
const Completion = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          tool_calls: z.array(ToolCall).nullish(),
        }),
      }),
    )
    .min(1),
});

type Message =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: z.infer<typeof ToolCall>[] }
  | { role: 'tool'; tool_call_id: string; content: string };

/** The task tools in the chat-completions `tools` format, their parameters generated from the same zod. */
export const openAiTools = TASK_TOOLS.map((tool) => {
  const { $schema: _drop, ...parameters } = z.toJSONSchema(tool.input, {
    io: 'input',
    unrepresentable: 'any',
  });
  return {
    type: 'function' as const,
    function: { name: tool.name, description: tool.description, parameters },
  };
});

function systemPrompt(ctx: ChatContext): string {
  const now = DateTime.fromJSDate(ctx.now, { zone: ctx.timeZone });
  return [
    "You manage the user's todo list with the tools given. Answer briefly and plainly.",
    `The user's time zone is ${ctx.timeZone}; it is now ${now.toFormat('cccc d LLLL yyyy HH:mm')} there (${now.toISO()}).`,
    'Give due_at as ISO 8601 with the offset of that zone. Find a task by name with list_tasks (search) before changing it.',
    'To delete, call delete_task or delete_tag: the server asks the user to confirm and deletes only after their yes, so do not ask first yourself.',
  ].join('\n');
}

class ModelUnavailable extends Error {}
/** The turn's deadline passed while the model was thinking. */
class TurnDeadline extends Error {}

async function complete(settings: LlmSettings, messages: Message[], deadline: AbortSignal) {
  let res: Response;
  const signal = AbortSignal.any([AbortSignal.timeout(settings.timeoutMs ?? 30_000), deadline]);
  try {
    res = await fetch(`${settings.baseUrl.replace(/\/$/, '')}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${settings.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: settings.model, messages, tools: openAiTools, tool_choice: 'auto' }),
      signal,
    });
  } catch (e) {
    if (deadline.aborted) throw new TurnDeadline();
    throw new ModelUnavailable(`the model endpoint is unreachable (${(e as Error).message})`);
  }
  if (!res.ok) throw new ModelUnavailable(`the model endpoint answered ${res.status}`);
  const body = await res.json().catch(() => null);
  if (deadline.aborted) throw new TurnDeadline();
  const parsed = Completion.safeParse(body);
  if (!parsed.success)
    throw new ModelUnavailable('the model endpoint sent a reply that is not a chat completion');
  return parsed.data.choices[0]!.message;
}

const steps = (n: number) => `${n} step${n === 1 ? '' : 's'}`;

/**
 * One chat turn through a configured model: its tool calls run the same task tools as the MCP server, for
 * this user only. A deletion it proposes does not run: the turn ends with the offline chat's question, and
 * the user's "yes" on the next turn runs it (offline-chat.ts). At most `maxToolCalls` calls a turn, and
 * the turn answers by `turnDeadlineMs` whatever the model is doing. If the model cannot be reached the
 * turn is answered offline, and says so.
 */
export async function llmChat(
  ctx: ChatContext,
  message: string,
  settings: LlmSettings,
  history: ChatTurn[] = [],
): Promise<ChatReply> {
  const actions: ChatAction[] = [];
  const done = (reply: string, extra: Partial<ChatReply> = {}): ChatReply => ({
    reply,
    actions,
    changed: changedData(actions),
    mode: 'llm',
    ...extra,
  });
  // A yes to the server's own question runs what it asked about, here and not through the model: a
  // deletion happens only on the user's word.
  if (isYes(message)) {
    const confirmed = await confirmPending({ ...ctx, history }, actions);
    if (confirmed !== undefined) return done(confirmed);
  }
  const maxToolCalls = settings.maxToolCalls ?? 8;
  const deadlineMs = settings.turnDeadlineMs ?? 25_000;
  // Aborts the model call in flight when the turn is out of time; tools only start before it.
  const deadline = AbortSignal.timeout(deadlineMs);
  const outOfTime = () =>
    done(
      `I ran out of time for this request (${Math.round(deadlineMs / 1000)} s) and stopped after ${steps(actions.length)}; nothing was left half-done. Ask again to carry on, or ask for less at once.`,
    );
  const messages: Message[] = [
    { role: 'system', content: systemPrompt(ctx) },
    ...history.map((turn) => ({ role: turn.role, content: turn.content })),
    { role: 'user', content: message },
  ];
  try {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const reply = await complete(settings, messages, deadline);
      const calls = reply.tool_calls ?? [];
      if (!calls.length) return done(reply.content ?? '');
      // A batch runs whole or not at all, so a turn never stops in the middle of one.
      if (actions.length + calls.length > maxToolCalls)
        return done(
          `That needs more than ${maxToolCalls} steps, the most one message may take; I stopped after ${steps(actions.length)} and did not start the next ${steps(calls.length)}. Ask for less at once.`,
        );
      if (deadline.aborted) return outOfTime();
      messages.push({ role: 'assistant', content: reply.content ?? null, tool_calls: calls });
      let question: { reply: string; pending: ChatReply['pending'] } | undefined;
      for (const call of calls) {
        const name = call.function.name;
        let input: unknown;
        try {
          input = JSON.parse(call.function.arguments || '{}');
        } catch {
          input = undefined;
        }
        let outcome: Awaited<ReturnType<typeof callTool>>;
        if (input === undefined) outcome = { ok: false, error: 'The arguments were not valid JSON.' };
        else if (needsConfirmation(name)) {
          // Not run: the first deletion becomes the server's question, and the turn ends after this batch.
          const asked = question
            ? {
                ok: false as const,
                error: 'One deletion at a time: ask the user about the next after this one.',
              }
            : await confirmationQuestion(ctx, name, input);
          if (asked.ok) {
            question = asked;
            continue;
          }
          outcome = asked;
        } else outcome = await callTool(ctx, name, input, ctx.log);
        actions.push(
          outcome.ok
            ? { tool: name, input, ok: true, result: outcome.result }
            : { tool: name, input, ok: false, error: outcome.error },
        );
        const content = outcome.ok
          ? JSON.stringify(outcome.result)
          : JSON.stringify({ error: outcome.error });
        messages.push({ role: 'tool', tool_call_id: call.id, content });
      }
      if (question) return done(question.reply, { pending: question.pending });
    }
    return done('I stopped after several steps without finishing; please say it another way.');
  } catch (e) {
    if (e instanceof TurnDeadline) return outOfTime();
    if (!(e instanceof ModelUnavailable)) throw e;
    ctx.log?.warn('chat model unavailable; answering offline', { reason: e.message });
    const offline = await offlineChat(ctx, message);
    return {
      ...offline,
      reply: `(The AI model is unavailable: ${e.message}. Answered with the built-in commands.)\n${offline.reply}`,
      actions: [...actions, ...offline.actions],
      changed: changedData([...actions, ...offline.actions]),
    };
  }
}
