import { createFunctionApp, type FunctionDeps, readBody } from '@todo/core';
import { previewQuickAdd, quickAddTask } from '@todo/core/quick-add/quick-add-task';
import { QuickAddRequest } from '@todo/core/quick-add/schema';

/**
 * quick-add: POST /api/v1/quick-add/parse — the live preview of a typed line (saves nothing);
 * POST /api/v1/quick-add — the same parse, created as a task (201, the task, with the parse's notes).
 */
export function createQuickAddApp(deps: FunctionDeps) {
  const app = createFunctionApp('quick-add', deps);
  app.post('/api/v1/quick-add/parse', async function previewRoute(c) {
    const request = await readBody(c, QuickAddRequest);
    return c.json(await previewQuickAdd(deps.db, c.var.user.id, request));
  });
  app.post('/api/v1/quick-add', async function quickAddRoute(c) {
    const request = await readBody(c, QuickAddRequest);
    const { task, parse } = await quickAddTask(
      { db: deps.db, userId: c.var.user.id, source: 'quick-add' },
      request,
    );
    return c.json({ ...task, notes: parse.notes }, 201, { location: `/api/v1/tasks/${task.id}` });
  });
  return app;
}

export default createQuickAddApp;
