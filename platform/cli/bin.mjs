#!/usr/bin/env node
// The `todo-platform` command (also `npm run platform -- <command>`): runs platform/cli/main.ts.
import { importTs } from '../scripts/run-ts.mjs';

const { run } = await importTs('platform/cli/main.ts');
await run(process.argv.slice(2));
