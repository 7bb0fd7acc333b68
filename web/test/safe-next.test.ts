import { describe, expect, it } from 'vitest';
import { safeNext } from '../lib/safe-next.ts';

describe('safeNext: where to go after logging in', () => {
  it.each([
    '/',
    '/tags',
    '/tasks/9b2c?tab=reminders',
    '/?q=urgent&priority=high',
    '/series/abc#upcoming',
    '/a//b',
    '/a/\\b',
  ])('keeps the same-origin path %j', (path) => {
    expect(safeNext(path)).toBe(path);
  });

  it.each([
    [null],
    [undefined],
    [''],
    ['//evil.example'],
    ['//evil.example/login'],
    ['/\\evil.example'],
    ['\\\\evil.example'],
    ['/\t/evil.example'],
    ['/\n/evil.example'],
    ['/ /evil.example'],
    ['https://evil.example/'],
    ['javascript:alert(1)'],
    ['evil.example'],
    ['tags'],
    ['%2F%2Fevil.example'],
  ])('sends %j to /', (value) => {
    expect(safeNext(value)).toBe('/');
  });
});
