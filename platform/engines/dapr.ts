// Starts the real Dapr Scheduler and daprd sidecars on free 127.0.0.1 ports for tests.
// Binaries come from platform/engines/get-dapr.sh (built from the Go module proxy, cached in
// ~/.cache/todo-fn/dapr-<ver>/bin); ensureDapr() runs that script when the cache is missing.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cacheRoot,
  enginesDir,
  freePorts,
  makeTempDir,
  removeTempDir,
  runEngineScript,
  startProcess,
  version,
  waitUntil,
} from './proc.ts';

const HINT =
  'daprd and scheduler come from platform/engines/get-dapr.sh (a cold build takes tens of minutes; run it by hand to see why).';

/** Configuration with the sqlite name resolver (mDNS, the standalone default, multicasts). */
export const localDaprConfigPath = join(enginesDir, 'fixtures', 'dapr-config.yaml');

/**
 * The cached Dapr bin dir (…/dapr-<ver>/bin with daprd and scheduler). Always asks get-dapr.sh, which
 * answers in milliseconds when the cache matches the pinned version and build recipe, and builds otherwise.
 */
export async function ensureDapr(): Promise<string> {
  const bin = join(cacheRoot(), `dapr-${version('DAPR_VERSION')}`, 'bin');
  const out = await runEngineScript('get-dapr.sh');
  const path = out.split('\n').pop() ?? '';
  if (!existsSync(join(path, 'daprd')) || !existsSync(join(path, 'scheduler')))
    throw new Error(`get-dapr.sh did not produce daprd + scheduler in ${bin}. ${HINT}`);
  return path;
}

async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
  await res.arrayBuffer();
  if (res.status >= 200 && res.status < 300) return true;
  throw new Error(`${url} → ${res.status}`);
}

/**
 * Copies the *.yaml / *.yml of srcDir into a fresh temp dir, replacing `${NAME}` with vars.NAME (e.g.
 * KAFKA_BROKERS), and returns that dir for --resources-path. Unknown placeholders are an error.
 * The dir holds only the rendered YAML (daprd warns about any other file); removeTempDir(dir) cleans up.
 */
export function renderResources(srcDir: string, vars: Record<string, string | number>): string {
  const out = join(makeTempDir('dapr-resources'), 'resources');
  mkdirSync(out);
  for (const f of readdirSync(srcDir)) {
    if (!/\.ya?ml$/.test(f)) continue;
    const text = readFileSync(join(srcDir, f), 'utf8').replace(/\$\{([A-Z0-9_]+)\}/g, (m, name: string) => {
      const v = vars[name];
      if (v === undefined) throw new Error(`${join(srcDir, f)}: no value for ${m}`);
      return String(v);
    });
    writeFileSync(join(out, f), text);
  }
  return out;
}

export interface RunningScheduler {
  /** "127.0.0.1:<port>" for daprd --scheduler-host-address. */
  address: string;
  port: number;
  logFile: string;
  dir: string;
  stop(): Promise<void>;
}

/** A standalone Dapr Scheduler with its embedded etcd in a temp dir; ready when /healthz answers. */
export async function startScheduler(
  opts: { startTimeoutMs?: number /** listen address (default 127.0.0.1) */; host?: string } = {},
): Promise<RunningScheduler> {
  const host = opts.host ?? '127.0.0.1';
  const bin = await ensureDapr();
  const dir = makeTempDir('scheduler');
  const [port, etcdClient, etcdPeer, healthz, metrics] = (await freePorts(5)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const logFile = join(dir, 'scheduler.log');
  const proc = startProcess({
    name: 'dapr scheduler',
    command: join(bin, 'scheduler'),
    args: [
      '--id=s0',
      `--port=${port}`,
      `--listen-address=${host}`,
      // The address daprd is told to connect to (default: this host's name/IP, not loopback).
      `--override-broadcast-host-port=${host}:${port}`,
      `--etcd-data-dir=${join(dir, 'etcd')}`,
      `--etcd-client-port=${etcdClient}`,
      '--etcd-client-listen-address=127.0.0.1',
      `--etcd-initial-cluster=s0=http://127.0.0.1:${etcdPeer}`,
      `--healthz-port=${healthz}`,
      '--healthz-listen-address=127.0.0.1',
      `--metrics-port=${metrics}`,
      '--metrics-listen-address=127.0.0.1',
      '--log-level=info',
    ],
    cwd: dir,
    logFile,
    hint: HINT,
  });
  try {
    await waitUntil(
      proc,
      'healthz',
      opts.startTimeoutMs ?? 60_000,
      () => httpOk(`http://127.0.0.1:${healthz}/healthz`),
      HINT,
    );
  } catch (e) {
    throw e instanceof Error ? new Error(`${e.message}\n(kept ${dir} for inspection)`) : e;
  }
  let stopped: Promise<void> | undefined;
  return {
    address: `${host}:${port}`,
    port,
    logFile,
    dir,
    stop() {
      stopped ??= proc.stop(10_000).then(() => removeTempDir(dir));
      return stopped;
    },
  };
}

export interface DaprdOptions {
  appId: string;
  /** Port the app listens on (127.0.0.1). Omit for a sidecar without an app. */
  appPort?: number;
  /** Directory (or directories) with Component / Subscription / Resiliency YAML. Default: none. */
  resourcesPath?: string | string[];
  /** Configuration YAML; defaults to fixtures/dapr-config.yaml (sqlite name resolution). */
  configPath?: string;
  /** Scheduler "host:port" (from startScheduler). Needed for the Jobs API. */
  schedulerAddress?: string;
  /** Extra daprd flags. */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  startTimeoutMs?: number;
  /**
   * Working dir for daprd. Relative paths in components resolve against it; the sqlite name resolver's
   * `nr.db` lives here, so daprds sharing it can invoke each other. Default: one dir per test process.
   */
  cwd?: string;
}

export interface RunningDaprd {
  appId: string;
  httpPort: number;
  grpcPort: number;
  /** "http://127.0.0.1:<httpPort>" */
  httpUrl: string;
  metricsPort: number;
  logFile: string;
  stop(): Promise<void>;
}

export interface DaprdPorts {
  httpPort: number;
  grpcPort: number;
  internalGrpcPort: number;
  metricsPort: number;
}

/**
 * A standalone daprd's arguments that keep everything on loopback: its own ports, the app channel (when
 * there is an app), the local config. Shared by startDaprd and the bench's cold start (which spawns
 * daprd itself to time it).
 */
export function daprdLoopbackArgs(o: {
  appId: string;
  ports: DaprdPorts;
  configPath?: string;
  appPort?: number;
}): string[] {
  return [
    '--mode=standalone',
    `--app-id=${o.appId}`,
    `--dapr-http-port=${o.ports.httpPort}`,
    `--dapr-grpc-port=${o.ports.grpcPort}`,
    `--dapr-internal-grpc-port=${o.ports.internalGrpcPort}`,
    '--dapr-internal-grpc-listen-address=127.0.0.1',
    '--dapr-listen-addresses=127.0.0.1',
    `--metrics-port=${o.ports.metricsPort}`,
    '--metrics-listen-address=127.0.0.1',
    `--config=${o.configPath ?? localDaprConfigPath}`,
    ...(o.appPort !== undefined ? [`--app-port=${o.appPort}`, '--app-channel-address=127.0.0.1'] : []),
  ];
}

// Daprds started without `cwd` share one dir (and so one sqlite name-resolution db) while any runs.
let sharedCwd: string | undefined;
let sharedCwdUsers = 0;

/**
 * Starts daprd in standalone mode on free loopback ports. Ready when /v1.0/healthz answers 2xx (with an
 * app port: sidecar and app channel up) or /v1.0/healthz/outbound (no app).
 */
export async function startDaprd(opts: DaprdOptions): Promise<RunningDaprd> {
  const bin = await ensureDapr();
  let cwd = opts.cwd;
  let releaseCwd = () => {};
  if (cwd) {
    mkdirSync(cwd, { recursive: true });
  } else {
    sharedCwd ??= makeTempDir('daprd');
    sharedCwdUsers++;
    cwd = sharedCwd;
    releaseCwd = () => {
      if (--sharedCwdUsers === 0 && sharedCwd) {
        removeTempDir(sharedCwd);
        sharedCwd = undefined;
      }
    };
  }
  const logDir = makeTempDir(`daprd-${opts.appId}`);
  const [httpPort, grpcPort, internalGrpcPort, metricsPort] = (await freePorts(4)) as [
    number,
    number,
    number,
    number,
  ];
  const resources =
    opts.resourcesPath === undefined
      ? []
      : Array.isArray(opts.resourcesPath)
        ? opts.resourcesPath
        : [opts.resourcesPath];
  const logFile = join(logDir, 'daprd.log');
  const args = [
    ...daprdLoopbackArgs({
      appId: opts.appId,
      ports: { httpPort, grpcPort, internalGrpcPort, metricsPort },
      configPath: opts.configPath,
      appPort: opts.appPort,
    }),
    '--dapr-graceful-shutdown-seconds=2',
    '--log-level=info',
    ...resources.map((r) => `--resources-path=${r}`),
    ...(opts.schedulerAddress ? [`--scheduler-host-address=${opts.schedulerAddress}`] : []),
    ...(opts.args ?? []),
  ];
  writeFileSync(join(logDir, 'command.txt'), `${join(bin, 'daprd')} ${args.join(' ')}\n`);
  const proc = startProcess({
    name: `daprd ${opts.appId}`,
    command: join(bin, 'daprd'),
    args,
    cwd,
    // DAPR_HOST_IP: the address daprd registers for service invocation; keep it on loopback.
    env: { DAPR_HOST_IP: '127.0.0.1', ...opts.env },
    logFile,
    hint: HINT,
  });
  const health =
    opts.appPort !== undefined
      ? `http://127.0.0.1:${httpPort}/v1.0/healthz`
      : `http://127.0.0.1:${httpPort}/v1.0/healthz/outbound`;
  try {
    await waitUntil(proc, health, opts.startTimeoutMs ?? 60_000, () => httpOk(health), HINT);
  } catch (e) {
    releaseCwd();
    throw e instanceof Error ? new Error(`${e.message}\n(kept ${logDir} for inspection)`) : e;
  }
  let stopped: Promise<void> | undefined;
  return {
    appId: opts.appId,
    httpPort,
    grpcPort,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    metricsPort,
    logFile,
    stop() {
      stopped ??= proc.stop(10_000).then(() => {
        removeTempDir(logDir);
        releaseCwd();
      });
      return stopped;
    },
  };
}
