import { beforeAll, describe, expect, it } from 'vitest';
import { type TestUser, useTestApi } from './stack.ts';

const api = useTestApi();
let alice: TestUser;
let bob: TestUser;
let aliceTask: { id: string };
let aliceTag: { id: string };
const UNKNOWN = '00000000-0000-4000-8000-00000000abcd';

beforeAll(async () => {
  alice = await api.signUp();
  bob = await api.signUp();
  aliceTask = (
    await api.json('POST', '/api/v1/tasks', {
      token: alice.token,
      body: { title: 'Alice secret', tags: ['private'] },
    })
  ).body;
  aliceTag = (await api.json('GET', '/api/v1/tags', { token: alice.token })).body.items[0];
});

/** Bob's answer for Alice's id must be byte-for-byte the answer for an id that does not exist. */
async function sameAsUnknown(method: string, path: (id: string) => string, body?: unknown) {
  const forAlice = await api.json(method, path(aliceTask.id), { token: bob.token, body });
  const forNobody = await api.json(method, path(UNKNOWN), { token: bob.token, body });
  expect(forAlice.status).toBe(404);
  expect({ ...forAlice.body, instance: null }).toEqual({ ...forNobody.body, instance: null });
}

describe("isolation: Bob cannot reach or detect Alice's data", () => {
  it('cannot list or search them', async () => {
    const all = await api.json('GET', '/api/v1/tasks', { token: bob.token });
    expect(all.body.items).toEqual([]);
    const search = await api.json('GET', '/api/v1/tasks?search=secret', { token: bob.token });
    expect(search.body.items).toEqual([]);
    const byTag = await api.json('GET', `/api/v1/tasks?tags=${aliceTag.id}`, { token: bob.token });
    expect(byTag.body.items).toEqual([]);
    expect((await api.json('GET', '/api/v1/tags', { token: bob.token })).body.items).toEqual([]);
  });

  it('sees nothing of hers through any filter or sort (a filter once leaked across users)', async () => {
    const filters = [
      'overdue=false',
      'overdue=true',
      'status=todo',
      'priority=medium',
      'sort_by=title',
      'sort_by=due_date',
    ];
    for (const q of filters) {
      const res = await api.json('GET', `/api/v1/tasks?${q}`, { token: bob.token });
      expect(res.body.items, q).toEqual([]);
    }
  });

  it('cannot read, update, complete, reopen or delete them', async () => {
    await sameAsUnknown('GET', (id) => `/api/v1/tasks/${id}`);
    await sameAsUnknown('PUT', (id) => `/api/v1/tasks/${id}`, { title: 'pwned' });
    await sameAsUnknown('PATCH', (id) => `/api/v1/tasks/${id}`, { title: 'pwned' });
    await sameAsUnknown('POST', (id) => `/api/v1/tasks/${id}/complete`);
    await sameAsUnknown('POST', (id) => `/api/v1/tasks/${id}/reopen`);
    await sameAsUnknown('DELETE', (id) => `/api/v1/tasks/${id}`);
  });

  it("cannot rename, delete or attach Alice's tags", async () => {
    const rename = await api.json('PATCH', `/api/v1/tags/${aliceTag.id}`, {
      token: bob.token,
      body: { name: 'x' },
    });
    expect(rename.status).toBe(404);
    expect((await api.json('DELETE', `/api/v1/tags/${aliceTag.id}`, { token: bob.token })).status).toBe(404);
    const attach = await api.json('POST', '/api/v1/tasks', {
      token: bob.token,
      body: { title: 'b', tags: [aliceTag.id] },
    });
    const unknown = await api.json('POST', '/api/v1/tasks', {
      token: bob.token,
      body: { title: 'b', tags: [UNKNOWN] },
    });
    expect(attach.status).toBe(400);
    expect(attach.body.detail.replace(aliceTag.id, UNKNOWN)).toBe(unknown.body.detail);
  });

  it("leaves Alice's task untouched", async () => {
    const task = await api.json('GET', `/api/v1/tasks/${aliceTask.id}`, { token: alice.token });
    expect(task.body).toMatchObject({ title: 'Alice secret', status: 'todo' });
    expect(task.body.tags.map((t: { name: string }) => t.name)).toEqual(['private']);
  });
});
