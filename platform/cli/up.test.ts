// `todo-platform up` end to end against a fake API server (everything reports ready) and shims for helm
// and kubectl that record their calls: the order of the steps, the pinned chart versions, the image tag
// written into the applied manifests, and the progress lines.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const bin = fileURLToPath(new URL('./bin.mjs', import.meta.url));

/** Every object the CLI waits for is ready at once. */
function readyApi(): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const json = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const m = /\/namespaces\/([^/]+)\/(deployments|statefulsets|jobs)\/([^/]+)$/.exec(path);
    if (m?.[2] === 'jobs') return json({ metadata: { name: m[3] }, status: { succeeded: 1 } });
    if (m) return json({ metadata: { name: m[3] }, spec: { replicas: 1 }, status: { readyReplicas: 1 } });
    if (path === '/api/v1/namespaces')
      return json({ kind: 'NamespaceList', apiVersion: 'v1', metadata: {}, items: [] });
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', code: 404 }));
  });
}

const SHIM = (tool: string) => `#!/usr/bin/env bash
# ${tool} shim: records each call (and what it reads on stdin) in $SHIM_LOG.
input=""
if [ "$1" = "apply" ] || [ "$1" = "delete" ]; then input="$(cat)"; fi
printf '%s %s\\n' "${tool}" "$*" >> "$SHIM_LOG"
if [ -n "$input" ]; then printf '%s\\n' "$input" | grep -E '^\\s+(image|JWT_SECRET|token): ' | sed 's/^/  /' >> "$SHIM_LOG"; fi
case "${tool} $1" in
  "helm list") echo '[]' ;;
  "kubectl kustomize") exec "$REAL_KUBECTL" "$@" ;;
esac
exit 0
`;

describe('todo-platform up (fake API server, helm/kubectl shims)', () => {
  let server: Server;
  let dir: string;
  let log: string;
  let out = '';
  let code = -1;
  beforeAll(async () => {
    server = readyApi();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    dir = mkdtempSync(join(tmpdir(), 'todo-up-'));
    log = join(dir, 'calls.log');
    writeFileSync(log, '');
    for (const tool of ['helm', 'kubectl']) {
      writeFileSync(join(dir, tool), SHIM(tool));
      chmodSync(join(dir, tool), 0o755);
    }
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
    writeFileSync(join(dir, 'kubeconfig'), kc.exportConfig());
    const realKubectl = (await exec('bash', ['-c', 'command -v kubectl'])).stdout.trim();
    const r = await exec(process.execPath, [bin, 'up', '--tag', 'abc123', '--timeout', '30'], {
      env: {
        HOME: dir,
        PATH: `${dir}:${dirname(process.execPath)}:/usr/bin:/bin`,
        KUBECONFIG: join(dir, 'kubeconfig'),
        SHIM_LOG: log,
        REAL_KUBECTL: realKubectl,
      },
      timeout: 120_000,
    }).then(
      (x) => ({ code: 0, out: x.stdout + x.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({
        code: e.code ?? -1,
        out: `${e.stdout}${e.stderr}`,
      }),
    );
    out = r.out;
    code = r.code;
  });
  afterAll(() => {
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('succeeds and reports progress for each of the eight steps', () => {
    expect(out, out).toMatch(/Done\./);
    expect(code).toBe(0);
    const ready = out.split('\n').filter((l) => /^\[\d\/8\] .*: ready/.test(l));
    expect(ready.map((l) => l.replace(/:.*$/, ''))).toEqual([
      '[1/8] dapr 1.18.2 (dapr-system)',
      '[2/8] keda 2.21.0 (keda)',
      '[3/8] keda-add-ons-http 0.15.0 (keda)',
      '[4/8] kafka',
      '[5/8] postgres',
      '[6/8] components',
      '[7/8] functions',
      '[8/8] web',
    ]);
  });

  it('installs the pinned charts first, then applies the layers in order with the given image tag', () => {
    const calls = readFileSync(log, 'utf8').split('\n');
    const installs = calls.filter((l) => l.startsWith('helm upgrade --install'));
    expect(installs.map((l) => l.split(' ').slice(3, 5).join(' '))).toEqual([
      'dapr dapr',
      'keda keda',
      'http-add-on keda-add-ons-http',
    ]);
    expect(installs[0]).toMatch(
      /--version 1\.18\.2 .*dapr_sidecar_injector\.sidecarDropALLCapabilities=true/,
    );
    const kustomized = calls
      .filter((l) => l.startsWith('kubectl kustomize'))
      .map((l) => l.split('/').slice(-1)[0]);
    expect(kustomized).toEqual(['kafka', 'postgres', 'components', 'functions', 'web']);
    const images = calls.filter((l) => /^\s+image: .*todo-/.test(l));
    expect(images.length).toBeGreaterThan(5);
    for (const l of images) expect(l).toMatch(/:abc123$/);
    // The secrets the chart generates at install are generated here too: never a placeholder or a
    // value from the repository.
    const secrets = calls.filter((l) => /^\s+(JWT_SECRET|token): /.test(l));
    expect(secrets.map((l) => l.trim().split(':')[0])).toEqual(['token', 'JWT_SECRET']);
    for (const l of secrets) {
      expect(l).not.toMatch(/generated-by-platform-up|not-a-secret/);
      expect(l.split(': ')[1]!.replace(/"/g, '').length).toBeGreaterThanOrEqual(32);
    }
    // The migration Job is replaced, not patched (its template is immutable).
    expect(calls).toContain('kubectl delete job todo-migrate --namespace todo-app --ignore-not-found');
  });
});
