// The container entry of a function, by its catalog kind: HTTP functions serve requests; event functions
// also get the Dapr ports (their jobs go to the clock); the clock owns the Dapr jobs and runs the outbox
// relay; the gateway has an entry of its own (it only forwards: no database, no token). Shared by
// build-functions.mjs and the tests that run a built container against real daprd.
export const RUNNERS = {
  http: { from: './core/src/runtime/run-function.ts', fn: 'runFunction' },
  event: { from: './core/src/runtime/run-event-function.ts', fn: 'runEventFunction' },
  clock: { from: './core/src/runtime/run-event-function.ts', fn: 'runClockFunction' },
  gateway: { from: './gateway/main.ts', fn: 'runGateway', app: false },
};

/**
 * esbuild `stdin` contents (resolved in functions/) that starts function `name` of catalog kind `kind`.
 * With `snapshot`, the entry of a CommonJS bundle that can also be a V8 startup snapshot's script
 * (`node --build-snapshot`): when it is one, the modules are evaluated (schemas, catalog, app code)
 * while the snapshot is built, and the runner — config, pool, listen — is deferred to the deserialized
 * main, so it reads the pod's environment, not the build's. Run as a plain script it starts at once.
 */
export function containerEntrySource(name, kind, { snapshot = false } = {}) {
  const runner = RUNNERS[kind];
  if (!runner) throw new Error(`catalog function ${name}: no runner for kind ${kind}`);
  const runnerImport = `import { ${runner.fn} } from '${runner.from}';\n`;
  const withApp = runner.app !== false;
  const imports = withApp ? `import create from './${name}/app.ts';\n${runnerImport}` : runnerImport;
  const start = withApp ? `${runner.fn}(${JSON.stringify(name)}, create)` : `${runner.fn}()`;
  return snapshot ? snapshotEntrySource(imports, start) : `${imports}await ${start};\n`;
}

/** A snapshot script's entry: `imports`, then `start` (a promise) now, or at the start of a snapshot. */
export function snapshotEntrySource(imports, start) {
  return `${imports}import { startupSnapshot } from 'node:v8';
const main = () => ${start}.catch((e) => { console.error(e); process.exit(1); });
if (startupSnapshot.isBuildingSnapshot()) startupSnapshot.setDeserializeMainFunction(main);
else main();
`;
}
