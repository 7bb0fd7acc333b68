import { describe, expect, it } from 'vitest';
import { readOnlyFunctions } from './stack.ts';

describe('readOnlyFunctions', () => {
  it('names the functions that only read, whose connections go first in the embedded stack', () => {
    expect(readOnlyFunctions().sort()).toEqual(['agenda', 'api-docs', 'list-tasks']);
  });
});
