import { z } from 'zod';
import { QuickAddParse } from '../quick-add/schema.ts';
import type { Logger } from '../runtime/log.ts';
import { TimeZone, text } from '../schemas.ts';
import type { ToolContext } from './tools.ts';

/** POST /api/v1/chat. */
/** One earlier turn of the conversation, as the chat box shows it. */
export const ChatTurn = z.strictObject({
  role: z.enum(['user', 'assistant']),
  content: text().max(4000),
});
export type ChatTurn = z.infer<typeof ChatTurn>;

export const ChatRequest = z.strictObject({
  message: text().trim().min(1, 'say something').max(2000),
  /** Defaults to the user's time zone. */
  time_zone: TimeZone.optional(),
  /**
   * The conversation so far, oldest first, so a model can follow up ("yes, delete it"). The server keeps
   * no chat state: any replica (or a cold start) can answer the next turn. The offline commands ignore it.
   */
  history: z.array(ChatTurn).max(20).optional(),
});
export type ChatRequest = z.infer<typeof ChatRequest>;

export const ChatAction = z.object({
  tool: z.string(),
  input: z.unknown(),
  ok: z.boolean(),
  result: z.unknown().optional(),
  error: z.string().optional(),
});
export type ChatAction = z.infer<typeof ChatAction>;

/**
 * A destructive tool call (a deletion) waiting for the user: it did not run. The reply is the question;
 * it runs when the next turn says "yes" with that reply as the last turn of `history`.
 */
export const PendingAction = z.object({ tool: z.string(), input: z.unknown() });
export type PendingAction = z.infer<typeof PendingAction>;

export const ChatReply = z.object({
  reply: z.string(),
  /** Every tool the answer used, in order, with its outcome. */
  actions: z.array(ChatAction),
  /** True when an action changed the user's data (the UI refreshes its lists). */
  changed: z.boolean(),
  /** `llm` when a configured model answered; `offline` for the built-in commands. */
  mode: z.enum(['llm', 'offline']),
  pending: PendingAction.optional(),
});
export type ChatReply = z.infer<typeof ChatReply>;

/**
 * POST /api/v1/chat/preview: what sending this line would do, so the chat box previews a task only for
 * lines that would become one — decided by the same command table that answers the turn.
 */
export const ChatPreview = z.discriminatedUnion('kind', [
  /** A built-in command (a question, move, done …): nothing to preview. */
  z.object({ kind: z.literal('command') }),
  /** A configured model will read it: no offline preview would be honest. */
  z.object({ kind: z.literal('assistant') }),
  /** A quick-add: the task it would create. */
  z.object({ kind: z.literal('task'), task: QuickAddParse }),
]);
export type ChatPreview = z.infer<typeof ChatPreview>;

export interface ChatContext extends ToolContext {
  timeZone: string;
  now: Date;
  /** The conversation before this message (oldest first), as the client sent it. */
  history?: ChatTurn[];
  log?: Logger;
}
