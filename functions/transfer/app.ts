import {
  createFunctionApp,
  type FunctionDeps,
  fieldProblem,
  ProblemError,
  requestText,
  routeHandlers,
  validate,
} from '@todo/core';
import { userTimeZone } from '@todo/core/accounts/users';
import { buildExport, exportCsv, exportFileName } from '@todo/core/transfer/export';
import { ExportDocument, type ImportQuery } from '@todo/core/transfer/export-schema';
import { applyImport } from '@todo/core/transfer/import';
import { type ImportPlan, planFromDocument } from '@todo/core/transfer/import-plan';
import { planFromTodoistCsv } from '@todo/core/transfer/todoist-csv';
import type { Context } from 'hono';
import { functionSpec } from '../catalog.ts';

const spec = functionSpec('transfer');

/** The media type of a request, without parameters (`text/csv; charset=utf-8` → `text/csv`). */
const mediaType = (c: Context) => (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();

/** Our JSON document, validated whole by its schema (every bad field named, `body.tasks.3.title`). */
async function planFromJson(c: Context, query: ImportQuery): Promise<ImportPlan> {
  if (query.project !== undefined) throw fieldProblem('query.project', 'only a CSV file goes into a project');
  if (query.name !== undefined) throw fieldProblem('query.name', 'only a CSV file goes into a new project');
  let raw: unknown;
  try {
    raw = JSON.parse(await requestText(c));
  } catch {
    throw fieldProblem('body', 'must be a JSON document');
  }
  return planFromDocument(validate('body', ExportDocument, raw));
}

/** A Todoist CSV export, into the project named by ?project=, else a new one (?name=). */
async function planFromCsv(c: Context, deps: FunctionDeps, query: ImportQuery): Promise<ImportPlan> {
  if (query.project !== undefined && query.name !== undefined)
    throw fieldProblem('query.name', 'give project or name, not both');
  const project =
    query.project !== undefined
      ? ({ ref: 'target', kind: 'existing', id: query.project } as const)
      : ({
          ref: 'target',
          kind: 'new',
          name: query.name ?? 'Imported from Todoist',
          color: 'grey',
          archived: false,
        } as const);
  const timeZone = await userTimeZone(deps.db, c.var.user.id);
  return planFromTodoistCsv(await requestText(c), { now: new Date(), timeZone, project });
}

/**
 * transfer: GET /export (our JSON document, or CSV for a spreadsheet) and POST /import (that document
 * back, or Todoist's CSV export), all or nothing. The import reads its own body: JSON or CSV by its
 * Content-Type, up to the route's 5 MB (catalog `bodyLimit`).
 */
export function transferApp(deps: FunctionDeps) {
  const app = createFunctionApp(spec, deps);
  const handle = routeHandlers(app, spec);
  handle('exportData', async function exportRoute(c, { query }) {
    const doc = await buildExport(deps.db, c.var.user.id);
    const csv = query.format === 'csv';
    return c.body(csv ? exportCsv(doc) : JSON.stringify(doc, null, 2), 200, {
      'content-type': csv ? 'text/csv; charset=utf-8; header=present' : 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="${exportFileName(doc, csv ? 'csv' : 'json')}"`,
      'cache-control': 'no-store',
    });
  });
  handle('importData', async function importRoute(c, { query }) {
    const type = mediaType(c);
    let plan: ImportPlan;
    if (type === 'application/json') plan = await planFromJson(c, query);
    else if (type === 'text/csv') plan = await planFromCsv(c, deps, query);
    else
      throw new ProblemError(
        415,
        'Send our export document as application/json, or a Todoist CSV export as text/csv',
      );
    const result = await applyImport({ db: deps.db, userId: c.var.user.id, source: spec.name }, plan);
    return c.json(result, 201);
  });
  return app;
}

export default transferApp;
