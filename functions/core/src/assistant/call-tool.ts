import type { z } from 'zod';
import { ProblemError } from '../runtime/errors.ts';
import type { Logger } from '../runtime/log.ts';
import { findTool, TASK_TOOLS, type ToolContext } from './tools.ts';

export type ToolOutcome = { ok: true; result: unknown } | { ok: false; error: string };

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length ? i.path.join('.') : 'arguments'}: ${i.message}`)
    .join('; ');
}

/** What to do about a resource not found, by the problem's `resource` (never by reading its text). */
const NOT_FOUND_HINTS: Record<string, string> = {
  Project: 'no project with that name or id belongs to you; call list_projects to see them.',
  Series: 'no series with that id belongs to you; use the series_id of a recurring task from list_tasks.',
  Tag: 'no tag with that id belongs to you; call list_tags to find its id.',
  Task: 'no task with that id belongs to you; call list_tasks to find its id.',
};

/** Field paths from the API (`body.due_at`) read as the tool's argument names (`due_at`). */
function describeProblem(p: ProblemError): string {
  const fields = p.errors?.map((e) => `${e.field.replace(/^(body|query|path)\./, '')}: ${e.message}`);
  if (p.is('validation') && fields?.length) return `Invalid arguments: ${fields.join('; ')}`;
  if (p.is('not-found')) {
    const hint = NOT_FOUND_HINTS[p.resource ?? 'Task'] ?? NOT_FOUND_HINTS.Task;
    return `${p.detail ?? p.title}: ${hint}`;
  }
  return p.detail ?? p.title;
}

/**
 * Runs one task tool for one user: arguments checked against its zod schema, and every failure turned
 * into a message an assistant can act on. Never throws, so a bad call cannot take the server down.
 */
export async function callTool(
  ctx: ToolContext,
  name: string,
  args: unknown,
  log?: Logger,
): Promise<ToolOutcome> {
  const tool = findTool(name);
  if (!tool) {
    return {
      ok: false,
      error: `Unknown tool ${name}; the tools are ${TASK_TOOLS.map((t) => t.name).join(', ')}.`,
    };
  }
  const input = tool.input.safeParse(args ?? {});
  if (!input.success) return { ok: false, error: `Invalid arguments: ${describeIssues(input.error)}` };
  try {
    return { ok: true, result: await tool.run(ctx, input.data) };
  } catch (e) {
    if (e instanceof ProblemError) return { ok: false, error: describeProblem(e) };
    if ((e as z.ZodError)?.name === 'ZodError') {
      return { ok: false, error: `Invalid arguments: ${describeIssues(e as z.ZodError)}` };
    }
    log?.error('tool failed', { tool: name, err: e });
    return { ok: false, error: 'Something went wrong on our side; try again shortly.' };
  }
}
