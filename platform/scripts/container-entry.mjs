// The container entry of a function, by its catalog kind: HTTP functions serve requests; event functions
// also get the Dapr ports (their jobs go to the clock); the clock owns the Dapr jobs and runs the outbox
// relay; the gateway has an entry of its own (it only forwards: no database, no token). Shared by
// build-functions.mjs and the tests that run a built container against real daprd.
export const RUNNERS = {
  http: { from: './core/src/runtime/run-function.ts', fn: 'runFunction' },
  event: { from: './core/src/runtime/run-event-function.ts', fn: 'runEventFunction' },
  clock: { from: './core/src/runtime/run-event-function.ts', fn: 'runClockFunction' },
  gateway: { from: './gateway/main.ts' },
};

/** esbuild `stdin` contents (resolved in functions/) that starts function `name` of catalog kind `kind`. */
export function containerEntrySource(name, kind) {
  const runner = RUNNERS[kind];
  if (!runner) throw new Error(`catalog function ${name}: no runner for kind ${kind}`);
  if (!runner.fn) return `import ${JSON.stringify(runner.from)};\n`;
  return `import create from './${name}/app.ts';\nimport { ${runner.fn} } from '${runner.from}';\nawait ${runner.fn}(${JSON.stringify(name)}, create);\n`;
}
