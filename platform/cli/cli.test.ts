// The `todo-platform` command as a user runs it (node platform/cli/bin.mjs): clear errors when there is
// no cluster or a tool is missing, and a dependency list that pins every chart and names real layers.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { chartRequests, k8sDir, loadDependencies } from './dependencies.ts';
import { imageNames } from './images.ts';

const exec = promisify(execFile);
const bin = fileURLToPath(new URL('./bin.mjs', import.meta.url));

function cli(args: string[], env: Record<string, string>) {
  return exec(process.execPath, [bin, ...args], { env: { HOME: tmpdir(), ...env }, timeout: 60_000 }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({
      code: e.code ?? -1,
      out: `${e.stdout}${e.stderr}`,
    }),
  );
}

describe('todo-platform (bin.mjs)', () => {
  it('prints its usage', async () => {
    const r = await cli(['--help'], { PATH: process.env.PATH ?? '' });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Commands:\n\s+images[\s\S]+up[\s\S]+status[\s\S]+down/);
  });

  it('says no cluster is configured, and how to start one, when there is no kubeconfig', async () => {
    const r = await cli(['status'], { PATH: process.env.PATH ?? '', KUBECONFIG: '/nonexistent/kubeconfig' });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/No Kubernetes cluster configured .*minikube start --cpus 4 --memory 8g/);
  });

  it('`up` names the missing tool when kubectl or helm is not installed', async () => {
    const server = createServer((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'NamespaceList', apiVersion: 'v1', metadata: {}, items: [] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const dir = mkdtempSync(join(tmpdir(), 'todo-cli-'));
    try {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [
          {
            name: 'fake',
            server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
            skipTLSVerify: true,
          },
        ],
        users: [{ name: 'u' }],
        contexts: [{ name: 'fake', cluster: 'fake', user: 'u' }],
        currentContext: 'fake',
      });
      writeFileSync(join(dir, 'config'), kc.exportConfig());
      // PATH with only the directory of node: no helm there (and maybe no kubectl).
      const r = await cli(['up', '--tag', 'test'], {
        PATH: dirname(process.execPath),
        KUBECONFIG: join(dir, 'config'),
      });
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/`(kubectl|helm)` is required and was not found on PATH: install/);
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('platform/k8s/dependencies.json', () => {
  it('installs Dapr, then KEDA, then the HTTP add-on from exact chart versions, then the layers in the seed order', () => {
    const deps = loadDependencies();
    expect(deps.charts.map((c) => c.chart)).toEqual(['dapr', 'keda', 'keda-add-ons-http']);
    expect(deps.layers.map((l) => l.path)).toEqual(['kafka', 'postgres', 'components', 'functions', 'web']);
    for (const l of deps.layers)
      expect(existsSync(join(k8sDir, l.path, 'kustomization.yaml')), l.path).toBe(true);
  });

  it('pins the replicas and requests of every workload a chart installs, so the budget counts them', () => {
    const workloads = chartRequests();
    const deps = loadDependencies();
    for (const c of deps.charts)
      for (const r of c.ready.filter((r) => r.kind !== 'Job'))
        expect(
          workloads.map((w) => w.name),
          `${c.chart}: ${r.name}`,
        ).toContain(r.name);
    // The KEDA HTTP add-on's defaults (3 scalers, 250m each) would not fit: one of each here.
    expect(workloads.find((w) => w.name === 'keda-add-ons-http-external-scaler')).toMatchObject({
      replicas: 1,
    });
    // Dapr 1.18's chart always runs 3 scheduler replicas.
    expect(workloads.find((w) => w.name === 'dapr-scheduler-server')).toMatchObject({ replicas: 3 });
    for (const w of workloads) {
      expect(w.cpu, w.name).toMatch(/^\d+m$/);
      expect(w.memory, w.name).toMatch(/^\d+Mi$/);
    }
    // A workload whose requests are not pinned in `set` is an error, not a silent chart default.
    const keda = deps.charts.find((c) => c.chart === 'keda')!;
    const unpinned = {
      ...deps,
      charts: [{ ...keda, set: keda.set.filter((s) => !s.startsWith('resources.webhooks')) }],
    };
    expect(() => chartRequests(unpinned)).toThrow(/keda: set has no resources\.webhooks\.requests\.cpu=/);
  });

  it('builds one image per catalog function plus migrate and web', () => {
    const names = imageNames();
    expect(names).toContain('gateway');
    expect(names.slice(-2)).toEqual(['migrate', 'web']);
    expect(new Set(names).size).toBe(names.length);
  });
});
