// Cold start with a daprd sidecar: the app and daprd spawned together, timed to the first 200 that comes
// back through daprd's service invocation (so both are up and daprd's app channel is open). Spawned here
// rather than by platform/engines' startDaprd, whose own readiness wait would sit inside the timing.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { daprdLoopbackArgs } from '../../platform/engines/dapr.ts';
import {
  cacheRoot,
  enginesDir,
  freePorts,
  makeTempDir,
  removeTempDir,
  version,
} from '../../platform/engines/proc.ts';
import {
  firstOk,
  killAndWait,
  type NodeProgram,
  rssMb,
  type Sample,
  SETTLE_MS,
  spawnNode,
} from './cold-start-process.ts';

/**
 * The cached daprd, or why there is none. Cached means what get-dapr.sh would reuse as is: the binary and
 * the recipe it was built by. Nothing is built here: a cold build takes tens of minutes.
 */
export function daprdBinary(): { path?: string; why?: string } {
  const bin = join(cacheRoot(), `dapr-${version('DAPR_VERSION')}`, 'bin');
  if (!existsSync(join(bin, 'daprd'))) {
    return { why: `daprd is not cached yet (${bin}; platform/engines/get-dapr.sh builds it)` };
  }
  const wanted = /^recipe="([^"]*)"/m.exec(readFileSync(join(enginesDir, 'get-dapr.sh'), 'utf8'))?.[1];
  const built = existsSync(join(bin, '.recipe')) ? readFileSync(join(bin, '.recipe'), 'utf8').trim() : '';
  if (!wanted || built !== wanted) {
    return { why: `the cached daprd is from another build recipe; get-dapr.sh rebuilds it (${bin})` };
  }
  return { path: join(bin, 'daprd') };
}

/** Spawn app + daprd → first 200 on the app's /healthz through daprd; then the pair's idle RSS. */
export async function coldStartWithDaprd(
  daprd: string,
  program: NodeProgram,
  appId: string,
  /** The app's environment, given daprd's HTTP port. */
  appEnv: (daprHttpPort: number) => Record<string, string>,
): Promise<Sample> {
  const [appPort, httpPort, grpcPort, internalGrpcPort, metricsPort] = (await freePorts(5)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  // Its own working dir: the sqlite name resolver keeps its registrations there (no stale ones).
  const cwd = makeTempDir('bench-daprd');
  const args = [
    ...daprdLoopbackArgs({ appId, ports: { httpPort, grpcPort, internalGrpcPort, metricsPort }, appPort }),
    '--log-level=warn',
  ];
  const start = performance.now();
  const env = appEnv(httpPort);
  const app = spawnNode(program, env, appPort);
  const sidecar = spawn(daprd, args, {
    cwd,
    // APP_API_TOKEN: daprd sends it to the app as dapr-api-token (as the chart's app-token-secret does).
    env: { ...process.env, DAPR_HOST_IP: '127.0.0.1', APP_API_TOKEN: env.APP_API_TOKEN ?? '' },
    stdio: 'ignore',
  });
  try {
    await firstOk(`http://127.0.0.1:${httpPort}/v1.0/invoke/${appId}/method/healthz`, start + 30_000);
    const elapsed = performance.now() - start;
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    return { ms: elapsed, rssMb: rssMb(app.pid) + rssMb(sidecar.pid) };
  } finally {
    await Promise.all([killAndWait(app), killAndWait(sidecar)]);
    removeTempDir(cwd);
  }
}
