import type { TaskOut } from '@todo/core/schemas';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useTestApi } from '../testing/stack.ts';

const api = useTestApi();

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'urgent', 'milk'];
const TAGS = ['work', 'home', 'urgent'];
const RANK = { low: 1, medium: 2, high: 3 } as const;
/** Keys a body must have on some route (create: title; tags: name; auth: email, password). */
const REQUIRED_BODY_KEYS = ['title', 'name', 'email', 'password'];

/** Due dates on a 30-day grid, so query bounds often fall exactly on a task's due date (inclusive). */
const gridDate = (d: number) => new Date(Date.UTC(2026, 0, 1) + d * 86_400_000 * 30).toISOString();

const taskArb = fc.record({
  title: fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 3 }).map((w) => w.join(' ')),
  description: fc.constantFrom('', 'see beta notes', 'Milk run'),
  priority: fc.constantFrom('low', 'medium', 'high'),
  status: fc.constantFrom('todo', 'in_progress', 'done'),
  tags: fc.subarray(TAGS),
  due_at: fc.option(fc.integer({ min: -30, max: 30 }).map(gridDate)),
});

const queryArb = fc.record(
  {
    search: fc.constantFrom(...WORDS, 'ALPHA beta', 'ur'),
    status: fc.subarray(['todo', 'in_progress', 'done'], { minLength: 1 }),
    priority: fc.subarray(['low', 'medium', 'high'], { minLength: 1 }),
    tags: fc.subarray(TAGS, { minLength: 1, maxLength: 2 }),
    overdue: fc.boolean(),
    due_from: fc.integer({ min: -31, max: 31 }).map(gridDate),
    due_to: fc.integer({ min: -31, max: 31 }).map(gridDate),
    sort_by: fc.constantFrom('due_date', 'priority', 'created_at', 'title'),
    order: fc.constantFrom('asc', 'desc'),
    limit: fc.integer({ min: 1, max: 7 }),
  },
  { requiredKeys: ['limit'] },
);
type Query = typeof queryArb extends fc.Arbitrary<infer Q> ? Q : never;

/** A plain in-memory reading of the listing rules, to hold the SQL to. */
function oracle(tasks: TaskOut[], q: Query, now: number): TaskOut[] {
  const text = (t: TaskOut) =>
    `${t.title} ${t.description} ${t.tags.map((g) => g.name).join(' ')}`.toLowerCase();
  const overdue = (t: TaskOut) => t.due_at !== null && Date.parse(t.due_at) < now && t.status !== 'done';
  const order =
    q.order ??
    { created_at: 'desc', priority: 'desc', due_date: 'asc', title: 'asc' }[q.sort_by ?? 'created_at'];
  const sign = order === 'asc' ? 1 : -1;
  const key = (t: TaskOut): number | string => {
    switch (q.sort_by ?? 'created_at') {
      case 'priority':
        return RANK[t.priority];
      case 'title':
        return t.title.toLowerCase();
      case 'due_date':
        return t.due_at ? Date.parse(t.due_at) : sign * Number.POSITIVE_INFINITY;
      default:
        return Date.parse(t.created_at);
    }
  };
  const cmp = (a: TaskOut, b: TaskOut) => {
    const [ka, kb] = [key(a), key(b)];
    if (ka !== kb) return (ka < kb ? -1 : 1) * sign;
    return (a.id < b.id ? -1 : 1) * sign;
  };
  return tasks
    .filter((t) =>
      (q.search ?? '')
        .toLowerCase()
        .split(/\s+/)
        .filter(Boolean)
        .every((w) => text(t).includes(w)),
    )
    .filter((t) => !q.status || q.status.includes(t.status))
    .filter((t) => !q.priority || q.priority.includes(t.priority))
    .filter((t) => !q.tags || q.tags.every((name) => t.tags.some((g) => g.name === name)))
    .filter((t) => q.overdue === undefined || overdue(t) === q.overdue)
    .filter((t) => !q.due_from || (t.due_at !== null && Date.parse(t.due_at) >= Date.parse(q.due_from)))
    .filter((t) => !q.due_to || (t.due_at !== null && Date.parse(t.due_at) <= Date.parse(q.due_to)))
    .sort(cmp);
}

function toQueryString(q: Query, cursor?: string): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) params.set(k, Array.isArray(v) ? v.join(',') : String(v));
  if (cursor) params.set('cursor', cursor);
  return params.toString();
}

describe('listTasks agrees with an in-memory oracle', () => {
  it('for random tasks and random filter + sort + page size combinations', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(taskArb, { minLength: 0, maxLength: 14 }),
        fc.array(queryArb, { minLength: 3, maxLength: 6 }),
        async (tasks, queries) => {
          const user = await api.signUp();
          const created: TaskOut[] = [];
          for (const body of tasks) {
            const res = await api.json('POST', '/api/v1/tasks', { token: user.token, body });
            expect(res.status).toBe(201);
            created.push(res.body);
          }
          for (const q of queries) {
            const expected = oracle(created, q, Date.now()).map((t) => t.id);
            const got: string[] = [];
            let cursor: string | undefined;
            for (let page = 0; page < 20; page++) {
              const res = await api.json('GET', `/api/v1/tasks?${toQueryString(q, cursor)}`, {
                token: user.token,
              });
              expect(res.status).toBe(200);
              got.push(...res.body.items.map((t: TaskOut) => t.id));
              cursor = res.body.next_cursor ?? undefined;
              if (!cursor) break;
            }
            expect(got, toQueryString(q)).toEqual(expected);
          }
        },
      ),
      { numRuns: 12 },
    );
  });
});

describe('malformed input is always a 4xx naming the problem, never a 5xx', () => {
  it('for random JSON bodies on every write route', async () => {
    const user = await api.signUp();
    const task = (await api.json('POST', '/api/v1/tasks', { token: user.token, body: { title: 'target' } }))
      .body;
    const routes: [string, string][] = [
      ['POST', '/api/v1/tasks'],
      ['PUT', `/api/v1/tasks/${task.id}`],
      ['PATCH', `/api/v1/tasks/${task.id}`],
      ['POST', '/api/v1/tags'],
      ['POST', '/api/v1/auth/signup'],
      ['POST', '/api/v1/auth/login'],
    ];
    const bodyArb = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          title: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
          priority: fc.oneof(fc.string(), fc.constantFrom('high', 'HIGH')),
          status: fc.string(),
          tags: fc.oneof(fc.array(fc.string()), fc.string()),
          due_at: fc.oneof(
            fc.string(),
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          ),
          time_zone: fc.string(),
          recurrence: fc.oneof(fc.record({ rule: fc.string() }), fc.string()),
          reminders: fc.array(fc.integer()),
          name: fc.string(),
          email: fc.string(),
          password: fc.string(),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        bodyArb,
        fc.boolean(),
        async ([method, path], body, raw) => {
          const res = raw
            ? await api.call(method, path, {
                token: user.token,
                rawBody: JSON.stringify(body).slice(0, -1) || '{',
              })
            : await api.call(method, path, { token: user.token, body });
          expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBeLessThan(500);
          if (res.status === 400) {
            const problem = await res.json();
            expect(problem.errors.length).toBeGreaterThan(0);
            // The field is the whole body (not JSON, not an object), or one of its keys: one that was
            // sent, or a required one that was missing (due_at is, once recurrence or reminders are sent:
            // schemas.ts requireDueForSchedule).
            const named = body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body) : [];
            const schedules = named.includes('recurrence') || named.includes('reminders');
            const keys = [...named, ...REQUIRED_BODY_KEYS, ...(schedules ? ['due_at'] : [])];
            for (const e of problem.errors) {
              const ok =
                e.field === 'body' ||
                keys.some((k) => e.field === `body.${k}` || e.field.startsWith(`body.${k}.`));
              expect(ok, `${e.field} names the body or one of its keys: ${JSON.stringify(problem)}`).toBe(
                true,
              );
            }
          } else {
            await res.body?.cancel();
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('for random query strings on the listing', async () => {
    const user = await api.signUp();
    const keys = [
      'search',
      'status',
      'priority',
      'tags',
      'due_from',
      'due_to',
      'overdue',
      'sort_by',
      'order',
      'limit',
      'cursor',
      'x',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom(...keys), fc.string({ maxLength: 300 })),
        async (params) => {
          const res = await api.call('GET', `/api/v1/tasks?${new URLSearchParams(params)}`, {
            token: user.token,
          });
          expect(res.status, JSON.stringify(params)).toBeLessThan(500);
          if (res.status === 400) {
            const problem = await res.json();
            // Each error names one of the parameters that were sent.
            for (const e of problem.errors) {
              expect(e.field, JSON.stringify(problem)).toMatch(/^query\.\w+/);
              expect(Object.keys(params), JSON.stringify(problem)).toContain(e.field.split('.')[1]);
            }
          } else {
            await res.body?.cancel();
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
