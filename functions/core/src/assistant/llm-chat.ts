import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { callTool } from './call-tool.ts';
import type { ChatAction, ChatContext, ChatReply, ChatTurn } from './chat-schema.ts';
import { changedData, offlineChat } from './offline-chat.ts';
import { TASK_TOOLS } from './tools.ts';

export interface LlmSettings {
  /** An OpenAI-compatible API root, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1. */
  baseUrl: string;
  apiKey: string;
  model: string;
  timeoutMs?: number;
}

/** The model settings when both the endpoint and the key are configured; otherwise chat runs offline. */
export function llmSettings(config: Config): LlmSettings | undefined {
  if (!config.OPENAI_BASE_URL || !config.OPENAI_API_KEY) return undefined;
  return { baseUrl: config.OPENAI_BASE_URL, apiKey: config.OPENAI_API_KEY, model: config.OPENAI_MODEL };
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
    'Ask before deleting anything the user did not clearly ask to delete.',
  ].join('\n');
}

class ModelUnavailable extends Error {}

async function complete(settings: LlmSettings, messages: Message[]) {
  let res: Response;
  try {
    res = await fetch(`${settings.baseUrl.replace(/\/$/, '')}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${settings.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: settings.model, messages, tools: openAiTools, tool_choice: 'auto' }),
      signal: AbortSignal.timeout(settings.timeoutMs ?? 30_000),
    });
  } catch (e) {
    throw new ModelUnavailable(`the model endpoint is unreachable (${(e as Error).message})`);
  }
  if (!res.ok) throw new ModelUnavailable(`the model endpoint answered ${res.status}`);
  const parsed = Completion.safeParse(await res.json().catch(() => null));
  if (!parsed.success)
    throw new ModelUnavailable('the model endpoint sent a reply that is not a chat completion');
  return parsed.data.choices[0]!.message;
}

/**
 * One chat turn through a configured model: its tool calls run the same task tools as the MCP server, for
 * this user only. If the model cannot be reached the turn is answered offline, and says so.
 */
export async function llmChat(
  ctx: ChatContext,
  message: string,
  settings: LlmSettings,
  history: ChatTurn[] = [],
): Promise<ChatReply> {
  const actions: ChatAction[] = [];
  const messages: Message[] = [
    { role: 'system', content: systemPrompt(ctx) },
    ...history.map((turn) => ({ role: turn.role, content: turn.content })),
    { role: 'user', content: message },
  ];
  try {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const reply = await complete(settings, messages);
      const calls = reply.tool_calls ?? [];
      if (!calls.length) {
        return { reply: reply.content ?? '', actions, changed: changedData(actions), mode: 'llm' };
      }
      messages.push({ role: 'assistant', content: reply.content ?? null, tool_calls: calls });
      for (const call of calls) {
        let input: unknown;
        try {
          input = JSON.parse(call.function.arguments || '{}');
        } catch {
          input = undefined;
        }
        const outcome =
          input === undefined
            ? { ok: false as const, error: 'The arguments were not valid JSON.' }
            : await callTool(ctx, call.function.name, input, ctx.log);
        actions.push(
          outcome.ok
            ? { tool: call.function.name, input, ok: true, result: outcome.result }
            : { tool: call.function.name, input, ok: false, error: outcome.error },
        );
        const content = outcome.ok
          ? JSON.stringify(outcome.result)
          : JSON.stringify({ error: outcome.error });
        messages.push({ role: 'tool', tool_call_id: call.id, content });
      }
    }
    return {
      reply: 'I stopped after several steps without finishing; please say it another way.',
      actions,
      changed: changedData(actions),
      mode: 'llm',
    };
  } catch (e) {
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
