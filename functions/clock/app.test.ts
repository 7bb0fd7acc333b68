import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestApi } from '../testing/stack.ts';

const api = useTestApi();

const clockCall = (method: string, path: string, body?: unknown) =>
  api.stack.eventApps.clock!.fetch(
    new Request(`http://clock${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );

describe('clock', () => {
  it('answers 404 (done, no retry) to a job with no handler', async () => {
    const res = await clockCall('POST', `/job/nothing-${randomUUID()}`, {});
    expect(res.status).toBe(404);
  });

  it('schedules and deletes jobs for other functions at /jobs/<name>', async () => {
    const name = `test-${randomUUID()}`;
    const due = new Date(Date.now() + 3_600_000).toISOString();
    expect((await clockCall('POST', `/jobs/${name}`, { dueTime: due, data: { a: 1 } })).status).toBe(204);
    const row = await api.stack.db
      .selectFrom('scheduled_jobs')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    expect(row).toMatchObject({ data: { a: 1 }, app_id: 'clock' });
    expect(row?.due_at.toISOString()).toBe(due);
    expect((await clockCall('DELETE', `/jobs/${name}`)).status).toBe(204);
    expect((await clockCall('DELETE', `/jobs/${name}`)).status).toBe(204);
    const gone = await api.stack.db
      .selectFrom('scheduled_jobs')
      .select('name')
      .where('name', '=', name)
      .execute();
    expect(gone).toEqual([]);
  });

  it('rejects a bad schedule request with a 400 naming the field', async () => {
    const res = await clockCall('POST', '/jobs/x', { dueTime: 'tomorrow', data: {} });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('dueTime');
  });
});
