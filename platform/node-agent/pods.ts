// The kubelet's job for the pods bound to this node, with processes instead of containers: start each
// container's program in the pod's network namespace with its resolved environment, poll its probes,
// restart it by the pod's restartPolicy, write the pod's status back, and on deletion SIGTERM, wait the
// grace period, SIGKILL, and confirm the deletion to the apiserver.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import {
  type CoreV1Api,
  type CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type V1Container,
  type V1ContainerStatus,
  type V1EnvVar,
  type V1Pod,
  type V1Probe,
} from '@kubernetes/client-node';
import { DAPR_POD_DIR, writeDaprFiles } from './dapr-sidecar.ts';
import { type ImageMap, programFor } from './images.ts';
import { inPod, type PodNet, type PodNetworks } from './network.ts';

export interface PodRuntimeDeps {
  core: CoreV1Api;
  custom: CustomObjectsApi;
  nets: PodNetworks;
  images: ImageMap;
  nodeName: string;
  hostIp: string;
  /** Where pod directories (logs, service account, Dapr files) live. */
  dir: string;
  /** ClusterIP of default/kubernetes (KUBERNETES_SERVICE_HOST), and the CA that signs the apiserver. */
  apiserverServiceIp: string;
  caCert: string;
  hostsFor(namespace: string): string;
  log(line: string): void;
}

interface ContainerRun {
  spec: V1Container;
  proc?: ChildProcess;
  startedAt?: string;
  ready: boolean;
  restarts: number;
  lastExit?: { exitCode: number; reason: string; startedAt?: string; finishedAt: string };
  waiting?: string;
  failures: { readiness: number; liveness: number };
  done: boolean;
  restartTimer?: NodeJS.Timeout;
}

interface PodRun {
  uid: string;
  namespace: string;
  name: string;
  pod: V1Pod;
  net?: PodNet;
  dir: string;
  containers: Map<string, ContainerRun>;
  probeTimer?: NodeJS.Timeout;
  stopping?: Promise<void>;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  startTime: string;
  statusDirty: boolean;
  statusWriting: boolean;
  message?: string;
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const now = () => new Date().toISOString();

export class PodRuntime {
  private readonly pods = new Map<string, PodRun>();
  /** Set by close(): the node is going away (its directory with it), so nothing may start any more. */
  private closed = false;

  constructor(private readonly d: PodRuntimeDeps) {}

  /** Logs of one container, for tests and post-mortems (there is no kubelet API for `kubectl logs`). */
  logFile(namespace: string, name: string, container: string): string | undefined {
    for (const p of this.pods.values())
      if (p.namespace === namespace && p.name === name) return join(p.dir, `${container}.log`);
    return undefined;
  }

  /** Called for every add/update of a pod bound to this node. */
  sync(pod: V1Pod): void {
    if (this.closed) return;
    const uid = pod.metadata?.uid ?? '';
    let run = this.pods.get(uid);
    if (pod.metadata?.deletionTimestamp) {
      if (run) void this.stop(run, pod.metadata.deletionGracePeriodSeconds ?? 30, true);
      else void this.confirmDeletion(pod);
      return;
    }
    if (run) {
      run.pod = pod;
      return;
    }
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    run = {
      uid,
      namespace: pod.metadata?.namespace ?? 'default',
      name: pod.metadata?.name ?? '',
      pod,
      dir: join(this.d.dir, `${pod.metadata?.namespace}_${pod.metadata?.name}_${uid.slice(0, 8)}`),
      containers: new Map(),
      phase: 'Pending',
      startTime: now(),
      statusDirty: true,
      statusWriting: false,
    };
    this.pods.set(uid, run);
    void this.start(run).catch((e: unknown) => {
      const message = e instanceof Error ? e.message : String(e);
      this.d.log(`pod ${run.namespace}/${run.name}: cannot start: ${message}`);
      run.phase = 'Failed';
      run.message = message;
      this.markDirty(run);
    });
  }

  /** The pod is gone from the API (deleted with grace 0, or by us): make sure nothing of it runs. */
  forget(pod: V1Pod): void {
    const run = this.pods.get(pod.metadata?.uid ?? '');
    if (run) void this.stop(run, 0, false);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.pods.values()].map((p) => this.stop(p, 2, false)));
  }

  private async start(run: PodRun): Promise<void> {
    mkdirSync(run.dir, { recursive: true });
    run.net = this.d.nets.create();
    writeFileSync(run.net.hostsFile, this.d.hostsFor(run.namespace));
    const serviceAccountDir = await this.serviceAccount(run);
    const spec = run.pod.spec;
    if (!spec) throw new Error('pod has no spec');
    for (const c of spec.initContainers ?? []) {
      const exitCode = await this.runToCompletion(run, c, serviceAccountDir);
      if (exitCode !== 0) throw new Error(`init container ${c.name} exited ${exitCode}`);
    }
    run.phase = 'Running';
    for (const c of spec.containers) {
      const state: ContainerRun = {
        spec: c,
        ready: false,
        restarts: 0,
        failures: { readiness: 0, liveness: 0 },
        done: false,
      };
      run.containers.set(c.name, state);
      await this.launch(run, state, serviceAccountDir);
    }
    this.markDirty(run);
    this.scheduleProbes(run);
  }

  /** Token, CA and namespace where client-go's in-cluster config reads them, unless the pod opts out. */
  private async serviceAccount(run: PodRun): Promise<string | undefined> {
    const spec = run.pod.spec;
    const saName = spec?.serviceAccountName ?? 'default';
    let automount = spec?.automountServiceAccountToken;
    if (automount === undefined) {
      const sa = await this.d.core.readNamespacedServiceAccount({ name: saName, namespace: run.namespace });
      automount = sa.automountServiceAccountToken !== false;
    }
    if (!automount) return undefined;
    const token = await this.d.core.createNamespacedServiceAccountToken({
      name: saName,
      namespace: run.namespace,
      body: {
        spec: {
          audiences: [],
          expirationSeconds: 3600 * 24,
          boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: run.name, uid: run.uid },
        },
      },
    });
    const dir = join(run.dir, 'serviceaccount');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'token'), token.status?.token ?? '');
    writeFileSync(join(dir, 'namespace'), run.namespace);
    writeFileSync(join(dir, 'ca.crt'), readFileSync(this.d.caCert));
    return dir;
  }

  private async env(run: PodRun, c: V1Container): Promise<Record<string, string>> {
    const out: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: run.dir,
      HOSTNAME: run.name,
      KUBERNETES_SERVICE_HOST: this.d.apiserverServiceIp,
      KUBERNETES_SERVICE_PORT: '443',
    };
    for (const from of c.envFrom ?? []) {
      const prefix = from.prefix ?? '';
      if (from.secretRef?.name) {
        const s = await this.d.core
          .readNamespacedSecret({ name: from.secretRef.name, namespace: run.namespace })
          .catch((e) => (from.secretRef?.optional ? undefined : Promise.reject(e)));
        for (const [k, v] of Object.entries(s?.data ?? {}))
          out[prefix + k] = Buffer.from(v, 'base64').toString();
      }
      if (from.configMapRef?.name) {
        const m = await this.d.core
          .readNamespacedConfigMap({ name: from.configMapRef.name, namespace: run.namespace })
          .catch((e) => (from.configMapRef?.optional ? undefined : Promise.reject(e)));
        for (const [k, v] of Object.entries(m?.data ?? {})) out[prefix + k] = v;
      }
    }
    for (const e of c.env ?? []) {
      const v = await this.envValue(run, e);
      if (v !== undefined) out[e.name] = v.replace(/\$\(([A-Za-z0-9_]+)\)/g, (m, n: string) => out[n] ?? m);
    }
    return out;
  }

  private async envValue(run: PodRun, e: V1EnvVar): Promise<string | undefined> {
    if (e.value !== undefined) return e.value;
    const ref = e.valueFrom;
    if (ref?.secretKeyRef) {
      const { name, key, optional } = ref.secretKeyRef;
      try {
        const s = await this.d.core.readNamespacedSecret({ name: name ?? '', namespace: run.namespace });
        const v = s.data?.[key];
        if (v === undefined && !optional) throw new Error(`secret ${name} has no key ${key}`);
        return v === undefined ? undefined : Buffer.from(v, 'base64').toString();
      } catch (err) {
        if (optional) return undefined;
        throw new Error(`env ${e.name}: ${(err as Error).message}`);
      }
    }
    if (ref?.configMapKeyRef) {
      const { name, key, optional } = ref.configMapKeyRef;
      const m = await this.d.core
        .readNamespacedConfigMap({ name: name ?? '', namespace: run.namespace })
        .catch((err) => (optional ? undefined : Promise.reject(err)));
      return m?.data?.[key];
    }
    if (ref?.fieldRef) {
      const path = ref.fieldRef.fieldPath;
      const fields: Record<string, string | undefined> = {
        'metadata.name': run.name,
        'metadata.namespace': run.namespace,
        'metadata.uid': run.uid,
        'spec.nodeName': this.d.nodeName,
        'spec.serviceAccountName': run.pod.spec?.serviceAccountName,
        'status.podIP': run.net?.ip,
        'status.hostIP': this.d.hostIp,
      };
      return fields[path];
    }
    return undefined;
  }

  private async argvFor(run: PodRun, c: V1Container, serviceAccountDir: string | undefined) {
    const program = programFor(c, this.d.images);
    let args = program.args;
    if (c.name === 'daprd' && args.some((a) => a.startsWith(DAPR_POD_DIR))) {
      const daprDir = join(run.dir, 'dapr');
      const appId = args[args.indexOf('--app-id') + 1] ?? run.name;
      await writeDaprFiles(
        this.d.custom,
        run.namespace,
        appId,
        run.pod.metadata?.annotations?.['dapr.io/config'],
        daprDir,
      );
      args = args.map((a) => (a.startsWith(DAPR_POD_DIR) ? daprDir + a.slice(DAPR_POD_DIR.length) : a));
    }
    if (!run.net) throw new Error('pod network missing');
    return { ...inPod(run.net, serviceAccountDir, program.command, args), cwd: program.cwd };
  }

  private async launch(
    run: PodRun,
    state: ContainerRun,
    serviceAccountDir: string | undefined,
  ): Promise<void> {
    if (run.stopping || this.closed) return;
    const c = state.spec;
    let argv: { command: string; args: string[]; cwd: string };
    let env: Record<string, string>;
    try {
      argv = await this.argvFor(run, c, serviceAccountDir);
      env = await this.env(run, c);
    } catch (e) {
      // CreateContainerConfigError: retried like a crash, with the reason in the status.
      state.waiting = `CreateContainerConfigError: ${(e as Error).message}`;
      this.d.log(`pod ${run.namespace}/${run.name} container ${c.name}: ${state.waiting}`);
      this.markDirty(run);
      state.restartTimer = setTimeout(() => void this.launch(run, state, serviceAccountDir), 2000);
      return;
    }
    // The pod may have been deleted while the environment was resolved, or the node closed (a restart
    // timer firing during teardown): never start into a torn-down network or a removed directory.
    if (run.stopping || !run.net || this.closed) return;
    const fd = openSync(join(run.dir, `${c.name}.log`), 'a');
    const proc = spawn(argv.command, argv.args, { cwd: argv.cwd, env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    state.proc = proc;
    state.startedAt = now();
    state.waiting = undefined;
    state.ready = !c.readinessProbe;
    state.failures = { readiness: 0, liveness: 0 };
    this.markDirty(run);
    proc.once('exit', (code, signal) => {
      state.proc = undefined;
      state.ready = false;
      const exitCode = code ?? (signal === 'SIGKILL' ? 137 : 143);
      state.lastExit = {
        exitCode,
        reason: exitCode === 0 ? 'Completed' : signal ? `Killed by ${signal}` : 'Error',
        startedAt: state.startedAt,
        finishedAt: now(),
      };
      if (!run.stopping)
        this.d.log(`pod ${run.namespace}/${run.name} container ${c.name} exited ${exitCode}`);
      this.afterExit(run, state, serviceAccountDir, exitCode);
    });
    proc.once('error', (e) =>
      this.d.log(`pod ${run.namespace}/${run.name} container ${c.name}: ${e.message}`),
    );
  }

  private afterExit(
    run: PodRun,
    state: ContainerRun,
    serviceAccountDir: string | undefined,
    exitCode: number,
  ) {
    const policy = run.pod.spec?.restartPolicy ?? 'Always';
    const restart = !run.stopping && (policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0));
    if (restart) {
      // CrashLoopBackOff, with a short cap: 1, 2, 4, 8, 10 s.
      const delay = Math.min(10_000, 1000 * 2 ** Math.min(state.restarts, 4));
      state.restarts++;
      state.waiting = 'CrashLoopBackOff';
      state.restartTimer = setTimeout(() => void this.launch(run, state, serviceAccountDir), delay);
    } else {
      state.done = true;
      const all = [...run.containers.values()];
      if (!run.stopping && all.every((s) => s.done))
        run.phase = all.every((s) => s.lastExit?.exitCode === 0) ? 'Succeeded' : 'Failed';
      if (run.phase === 'Succeeded' || run.phase === 'Failed') this.teardown(run);
    }
    this.markDirty(run);
  }

  private async runToCompletion(
    run: PodRun,
    c: V1Container,
    serviceAccountDir: string | undefined,
  ): Promise<number> {
    const argv = await this.argvFor(run, c, serviceAccountDir);
    const env = await this.env(run, c);
    const fd = openSync(join(run.dir, `${c.name}.log`), 'a');
    const proc = spawn(argv.command, argv.args, { cwd: argv.cwd, env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    return new Promise((resolve) => proc.once('exit', (code) => resolve(code ?? 1)));
  }

  private scheduleProbes(run: PodRun): void {
    const tick = async () => {
      if (run.stopping || run.phase !== 'Running') return;
      for (const state of run.containers.values()) {
        if (!state.proc) continue;
        const c = state.spec;
        if (c.readinessProbe) {
          const ok = await this.probe(run, c, c.readinessProbe);
          const threshold = c.readinessProbe.failureThreshold ?? 3;
          state.failures.readiness = ok ? 0 : state.failures.readiness + 1;
          const ready = ok || (state.ready && state.failures.readiness < threshold);
          if (ready !== state.ready) {
            state.ready = ready;
            this.markDirty(run);
          }
        }
        if (c.livenessProbe && this.dueLiveness(state)) {
          const ok = await this.probe(run, c, c.livenessProbe);
          state.failures.liveness = ok ? 0 : state.failures.liveness + 1;
          if (state.failures.liveness >= (c.livenessProbe.failureThreshold ?? 3)) {
            this.d.log(`pod ${run.namespace}/${run.name} container ${c.name}: liveness failed, restarting`);
            state.failures.liveness = 0;
            state.proc.kill('SIGTERM');
          }
        }
      }
      run.probeTimer = setTimeout(() => void tick(), 1000);
    };
    run.probeTimer = setTimeout(() => void tick(), 300);
  }

  private dueLiveness(state: ContainerRun): boolean {
    const p = state.spec.livenessProbe;
    if (!p || !state.startedAt) return false;
    const since = Date.now() - Date.parse(state.startedAt);
    return (
      since >= (p.initialDelaySeconds ?? 0) * 1000 && Math.floor(since / 1000) % (p.periodSeconds ?? 10) === 0
    );
  }

  private async probe(run: PodRun, c: V1Container, p: V1Probe): Promise<boolean> {
    const portOf = (port: number | string | undefined) =>
      typeof port === 'number' ? port : Number(c.ports?.find((x) => x.name === port)?.containerPort ?? port);
    const timeout = (p.timeoutSeconds ?? 1) * 1000;
    try {
      if (p.httpGet) {
        const url = `http://${run.net?.ip}:${portOf(p.httpGet.port)}${p.httpGet.path ?? '/'}`;
        const res = await fetch(url, { signal: AbortSignal.timeout(timeout) });
        await res.arrayBuffer();
        return res.status >= 200 && res.status < 400;
      }
      if (p.tcpSocket) {
        return await new Promise((resolve) => {
          const s = connect(portOf(p.tcpSocket?.port), run.net?.ip ?? '');
          s.setTimeout(timeout, () => resolve(false));
          s.once('connect', () => {
            s.destroy();
            resolve(true);
          });
          s.once('error', () => resolve(false));
        });
      }
      return true; // exec/grpc probes: not supported on this node, counted as passing
    } catch {
      return false;
    }
  }

  private async stop(run: PodRun, graceSeconds: number, confirm: boolean): Promise<void> {
    run.stopping ??= (async () => {
      this.d.log(`pod ${run.namespace}/${run.name}: stopping (grace ${graceSeconds}s)`);
      if (run.probeTimer) clearTimeout(run.probeTimer);
      const exits: Promise<void>[] = [];
      for (const state of run.containers.values()) {
        if (state.restartTimer) clearTimeout(state.restartTimer);
        const proc = state.proc;
        if (!proc) continue;
        exits.push(new Promise((resolve) => proc.once('exit', () => resolve())));
        proc.kill('SIGTERM');
      }
      const killer = setTimeout(() => {
        for (const s of run.containers.values()) s.proc?.kill('SIGKILL');
      }, graceSeconds * 1000);
      await Promise.all(exits);
      clearTimeout(killer);
      this.teardown(run);
      this.pods.delete(run.uid);
      this.d.log(`pod ${run.namespace}/${run.name}: stopped`);
      if (confirm) await this.confirmDeletion(run.pod);
    })();
    return run.stopping;
  }

  private teardown(run: PodRun): void {
    run.net?.release();
    run.net = undefined;
  }

  /** The kubelet's last word on a deleted pod: delete with grace 0, so it leaves the API. */
  private async confirmDeletion(pod: V1Pod): Promise<void> {
    try {
      await this.d.core.deleteNamespacedPod({
        name: pod.metadata?.name ?? '',
        namespace: pod.metadata?.namespace ?? '',
        gracePeriodSeconds: 0,
        // With a body the apiserver reads the options from it, not from the query: grace 0 goes in both.
        body: { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid } },
      });
    } catch (e) {
      if ((e as { code?: number }).code !== 404)
        this.d.log(`confirming deletion of ${pod.metadata?.name}: ${(e as Error).message.slice(0, 500)}`);
    }
  }

  private markDirty(run: PodRun): void {
    run.statusDirty = true;
    if (!run.statusWriting) void this.writeStatus(run);
  }

  private async writeStatus(run: PodRun): Promise<void> {
    run.statusWriting = true;
    try {
      while (run.statusDirty) {
        run.statusDirty = false;
        try {
          await this.d.core.patchNamespacedPodStatus(
            { name: run.name, namespace: run.namespace, body: { status: this.statusOf(run) } },
            mergePatch,
          );
        } catch (e) {
          const code = (e as { code?: number }).code;
          if (code === 404) return;
          this.d.log(`status of ${run.namespace}/${run.name}: ${(e as Error).message.split('\n')[0]}`);
          await new Promise((r) => setTimeout(r, 500));
          run.statusDirty = true;
        }
      }
    } finally {
      run.statusWriting = false;
    }
  }

  private statusOf(run: PodRun) {
    const containers = [...run.containers.values()];
    const allReady = containers.length > 0 && containers.every((c) => c.ready);
    const cond = (type: string, ok: boolean) => ({
      type,
      status: ok ? 'True' : 'False',
      lastTransitionTime: now(),
    });
    const containerStatuses: V1ContainerStatus[] = containers.map((c) => ({
      name: c.spec.name,
      image: c.spec.image ?? '',
      imageID: `todo-fn-node://${c.spec.image}`,
      containerID: c.proc?.pid ? `process://${c.proc.pid}` : undefined,
      ready: c.ready,
      started: Boolean(c.proc),
      restartCount: c.restarts,
      state: c.proc
        ? { running: { startedAt: c.startedAt as unknown as Date } }
        : c.waiting
          ? { waiting: { reason: c.waiting.split(':')[0], message: c.waiting } }
          : c.lastExit
            ? { terminated: { ...c.lastExit } as never }
            : { waiting: { reason: 'ContainerCreating' } },
      lastState: c.lastExit && c.proc ? { terminated: { ...c.lastExit } as never } : {},
    }));
    return {
      phase: run.phase,
      message: run.message,
      hostIP: this.d.hostIp,
      hostIPs: [{ ip: this.d.hostIp }],
      podIP: run.net?.ip,
      podIPs: run.net ? [{ ip: run.net.ip }] : undefined,
      startTime: run.startTime,
      conditions: [
        cond('PodScheduled', true),
        cond('Initialized', run.phase !== 'Pending'),
        cond('ContainersReady', allReady),
        cond('Ready', allReady && run.phase === 'Running'),
      ],
      containerStatuses,
    };
  }

  /** Pods whose hosts file must be rewritten when Services change. */
  refreshHosts(): void {
    for (const run of this.pods.values())
      if (run.net) writeFileSync(run.net.hostsFile, this.d.hostsFor(run.namespace));
  }
}
