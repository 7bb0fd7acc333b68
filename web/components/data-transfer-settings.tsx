'use client';

import { useState } from 'react';
import { API_ROOT, sessionClient, toApiError } from '@/lib/api';
import { problemError, readJson } from '@/lib/api-error';
import { FormError } from './form-field';

/** What an import reports on success (POST /import → 201). */
interface ImportResult {
  projects: number;
  tasks: number;
  tags: number;
}

/** The file name the server suggests (Content-Disposition), else ours. */
function fileNameOf(res: Response, fallback: string): string {
  const m = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '');
  return m?.[1] ?? fallback;
}

/** Saves a response body as a file: the access token lives in memory, so a plain link cannot download. */
async function download(format: 'json' | 'csv'): Promise<void> {
  const res = await sessionClient.fetchWithAccess(`${API_ROOT}/export?format=${format}`);
  if (!res.ok) throw problemError(res.status, await readJson(res));
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = fileNameOf(res, `todo-export.${format}`);
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A CSV is Todoist's export (into a new project); anything else is taken as our JSON document. */
const isCsv = (file: File) => file.type === 'text/csv' || /\.csv$/i.test(file.name);

async function upload(file: File): Promise<ImportResult> {
  const csv = isCsv(file);
  const query = csv ? `?name=${encodeURIComponent(file.name.replace(/\.csv$/i, ''))}` : '';
  const res = await sessionClient.fetchWithAccess(`${API_ROOT}/import${query}`, {
    method: 'POST',
    headers: { 'content-type': csv ? 'text/csv' : 'application/json', accept: 'application/json' },
    body: await file.text(),
  });
  const json = await readJson(res);
  if (!res.ok) throw problemError(res.status, json);
  return json as ImportResult;
}

/**
 * /account → Your data: export everything as JSON (which imports back) or CSV, and import our JSON or a
 * Todoist CSV export. An import is all or nothing; a bad file lists each line and field at fault.
 */
export function DataTransferSettings() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; lines: string[] } | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function run(what: () => Promise<string | null>) {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      setDone(await what());
    } catch (e) {
      const err = toApiError(e);
      setError({ message: err.message, lines: err.fields.map((f) => f.message) });
    } finally {
      setBusy(false);
    }
  }

  const exportAs = (format: 'json' | 'csv') =>
    run(async () => {
      await download(format);
      return null;
    });

  async function onFile(e: React.ChangeEvent<HTMLInputElement>) {
    const input = e.currentTarget;
    const file = input.files?.[0];
    if (!file) return;
    await run(async () => {
      const r = await upload(file);
      return `Imported ${r.tasks} tasks, ${r.projects} projects and ${r.tags} tags from ${file.name}.`;
    });
    input.value = '';
  }

  return (
    <section className="card" aria-labelledby="data-heading">
      <h2 id="data-heading">Your data</h2>
      <p className="muted">
        Export everything as JSON (it imports back here) or as CSV for a spreadsheet. Import a JSON export, or
        a CSV exported from Todoist (it becomes a new project).
      </p>
      {error && (
        <FormError>
          {error.message}
          {error.lines.length > 0 && (
            <ul>
              {error.lines.map((l) => (
                <li key={l}>{l}</li>
              ))}
            </ul>
          )}
        </FormError>
      )}
      <p role="status" className="small">
        {done}
      </p>
      <div className="actions">
        <button type="button" className="btn" disabled={busy} onClick={() => void exportAs('json')}>
          Export JSON
        </button>
        <button type="button" className="btn" disabled={busy} onClick={() => void exportAs('csv')}>
          Export CSV
        </button>
      </div>
      <p className="field">
        <label htmlFor="import-file">Import a file (our JSON, or a Todoist CSV)</label>
        <input
          id="import-file"
          type="file"
          accept=".json,.csv,application/json,text/csv"
          disabled={busy}
          onChange={(e) => void onFile(e)}
        />
      </p>
    </section>
  );
}
