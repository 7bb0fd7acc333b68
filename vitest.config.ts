import { defineConfig } from 'vitest/config';

// One vitest run covers every tier: unit tests, HTTP tests on a real Postgres, and the real-engine
// tiers (Kafka, daprd, scheduler, Chromium). Each tier starts its own engines through the project's
// scripts and fails loudly when it cannot; nothing skips.
export default defineConfig({
  test: {
    globalSetup: ['functions/testing/global-setup.ts'],
    include: ['functions/**/*.test.ts', 'platform/**/*.test.ts', 'web/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/.next/**'],
    testTimeout: 60_000,
    hookTimeout: 240_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
