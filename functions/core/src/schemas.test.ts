import { describe, expect, it } from 'vitest';
import { QuickAddRequest } from './quick-add/schema.ts';
import { RecurrencePreviewQuery } from './recurrence/series-schemas.ts';
import { Instant, isStorableText, ListTasksQuery, TagCreate, TaskCreate, TaskPatch } from './schemas.ts';

// Issue 10: each of these reached Postgres and came back as a 500. They are 400s at the schema now.
describe('text the API accepts', () => {
  it('rejects NUL and unpaired UTF-16 surrogates, and keeps pairs (emoji) and other control characters', () => {
    expect(isStorableText('plain \u0001 text 🎉')).toBe(true);
    expect(isStorableText('a\u0000b')).toBe(false);
    expect(isStorableText('lone high \ud800')).toBe(false);
    expect(isStorableText('\udc00 lone low')).toBe(false);
    expect(isStorableText('swapped \udc00\ud800')).toBe(false);
  });

  it.each([
    ['task title', TaskCreate, { title: 'a\u0000' }],
    ['task description', TaskCreate, { title: 'ok', description: '\u0000' }],
    ['task tag', TaskCreate, { title: 'ok', tags: ['x\u0000'] }],
    ['patched title', TaskPatch, { title: 'a\ud83d' }],
    ['tag name', TagCreate, { name: '\u0000' }],
    ['quick-add text', QuickAddRequest, { text: 'pay rent\u0000' }],
    ['tags query', ListTasksQuery, { tags: 'work,\u0000' }],
    ['search query', ListTasksQuery, { search: '\udfff' }],
    ['cursor query', ListTasksQuery, { cursor: '\u0000' }],
  ])('rejects it in the %s', (_where, schema, value) => {
    expect(schema.safeParse(value).success).toBe(false);
  });
});

describe('Instant: date-times Postgres can store as meant', () => {
  it.each([
    '2030-01-05T09:00:00Z',
    '2030-01-05T09:00:00.123+14:00',
    '2030-01-05T09:00:00-12:00',
    '0001-01-01T12:00:00Z',
    '9999-12-31T00:00:00Z',
  ])('accepts %s', (iso) => {
    expect(Instant.safeParse(iso).success).toBe(true);
  });

  it.each([
    '0374-08-06T15:10:14.205+18:09', // the offset schemathesis found: Postgres rejects it (500)
    '2030-01-05T09:00:00+16:00',
    '0000-01-01T00:00:00Z', // there is no year 0 in Postgres
    '0001-01-01T00:00:00+01:00', // year 0 in UTC
  ])('rejects %s', (iso) => {
    expect(Instant.safeParse(iso).success).toBe(false);
  });

  it('is the type of every date-time in a request', () => {
    const bad = '0000-01-01T00:00:00Z';
    expect(TaskCreate.safeParse({ title: 't', due_at: bad }).success).toBe(false);
    expect(TaskPatch.safeParse({ due_at: bad }).success).toBe(false);
    expect(ListTasksQuery.safeParse({ due_from: bad }).success).toBe(false);
    expect(ListTasksQuery.safeParse({ due_to: bad }).success).toBe(false);
    expect(RecurrencePreviewQuery.safeParse({ rule: 'FREQ=DAILY', due_at: bad }).success).toBe(false);
  });
});
