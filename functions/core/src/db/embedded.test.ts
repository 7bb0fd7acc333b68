import { describe, expect, it } from 'vitest';
import { importWithoutExitOverride } from './embedded.ts';

describe('embedded Postgres', () => {
  it('does not leave a beforeExit hook that would force exit code 0 over a failed test run', async () => {
    const before = process.listeners('beforeExit').length;
    await importWithoutExitOverride();
    expect(process.listeners('beforeExit')).toHaveLength(before);
    // Its signal handlers (which stop the server) are kept.
    expect(process.listeners('SIGTERM').length).toBeGreaterThan(0);
  });
});
