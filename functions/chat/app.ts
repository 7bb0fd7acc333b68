import { createFunctionApp, type FunctionDeps, routeHandlers } from '@todo/core';
import { userTimeZone } from '@todo/core/accounts/users';
import type { ChatPreview } from '@todo/core/assistant/chat-schema';
import { llmChat, llmSettings } from '@todo/core/assistant/llm-chat';
import { offlineChat, offlineIntent } from '@todo/core/assistant/offline-chat';
import { previewQuickAdd } from '@todo/core/quick-add/quick-add-task';
import { clientIp, enforceLimits, LIMITS } from '@todo/core/runtime/rate-limit';
import { functionSpec } from '../catalog.ts';

const spec = functionSpec('chat');

/**
 * chat: POST /api/v1/chat — one turn of the chat box. With a model configured (OPENAI_BASE_URL and
 * OPENAI_API_KEY) the model answers through the task tools; without one, built-in commands and quick-add.
 * POST /api/v1/chat/preview — what that turn would do with the line as typed (saves nothing).
 */
export function createChatApp(deps: FunctionDeps) {
  const app = createFunctionApp(spec, deps);
  const handle = routeHandlers(app, spec);
  const settings = llmSettings(deps.config);
  handle('chat', async function chatRoute(c, { body: request }) {
    const userId = c.var.user.id;
    // Each turn with a model costs money and the model's time: limited per account and per client.
    if (settings)
      await enforceLimits(
        deps.db,
        [
          { rule: LIMITS.chatPerAccount, key: userId },
          { rule: LIMITS.chatPerAccountDaily, key: userId },
          { rule: LIMITS.chatPerIp, key: clientIp(c) },
        ],
        'chat messages',
      );
    const ctx = {
      db: deps.db,
      userId,
      source: spec.name,
      timeZone: await userTimeZone(deps.db, userId, request.time_zone),
      now: new Date(),
      log: deps.log,
      history: request.history,
    };
    return c.json(
      settings
        ? await llmChat(ctx, request.message, settings, request.history)
        : await offlineChat(ctx, request.message),
    );
  });
  handle('previewChat', async function chatPreviewRoute(c, { body: request }) {
    let preview: ChatPreview;
    if (settings) preview = { kind: 'assistant' };
    else if (offlineIntent(request.message) === 'command') preview = { kind: 'command' };
    else
      preview = {
        kind: 'task',
        task: await previewQuickAdd(deps.db, c.var.user.id, {
          text: request.message,
          time_zone: request.time_zone,
        }),
      };
    return c.json(preview);
  });
  return app;
}

export default createChatApp;
