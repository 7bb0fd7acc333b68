// A real Kubernetes control plane on this machine for the cluster tier: etcd, kube-apiserver,
// kube-controller-manager and kube-scheduler (built from the Go module proxy by get-k8s-cluster.sh), PKI
// made with openssl, and the KEDA operator + metrics adapter running out of cluster against the same
// apiserver. Pods are run by our node agent (platform/node-agent), which needs a bridge for pod networks:
// the bridge's address is also where the cluster reaches this host's Kafka, Postgres and Dapr scheduler.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type EngineProcess,
  freePorts,
  makeTempDir,
  removeTempDir,
  runEngineScript,
  startProcess,
  waitUntil,
} from './proc.ts';

const HINT =
  'The control plane comes from platform/engines/get-k8s-cluster.sh (a cold build takes ≈30 min; run it by hand to see why).';

export interface ClusterBinaries {
  bin: string;
  kedaCrds: string;
}

/** The cached control-plane binaries; builds them on first use (tens of minutes, once per version). */
export async function ensureK8sCluster(): Promise<ClusterBinaries> {
  const out = await runEngineScript('get-k8s-cluster.sh');
  const dest = out.split('\n').pop() ?? '';
  const bin = join(dest, 'bin');
  for (const n of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'keda-operator'])
    if (!existsSync(join(bin, n)))
      throw new Error(`get-k8s-cluster.sh did not produce ${n} in ${bin}. ${HINT}`);
  return { bin, kedaCrds: join(dest, 'keda-crds') };
}

/** The pod network: a Linux bridge on this host; pods get veth pairs into it (node agent). */
export interface PodNetwork {
  bridge: string;
  /** This host on the bridge ("10.244.<n>.1"): where pods reach Kafka, Postgres and the Dapr scheduler. */
  hostIp: string;
  /** /24 the node agent hands out pod IPs from. */
  podCidr: string;
  /** Service ClusterIP range given to the apiserver. */
  serviceCidr: string;
}

export interface ControlPlane {
  dir: string;
  kubeconfig: string;
  server: string;
  network: PodNetwork;
  /** PKI the node agent uses for its admission webhook (signed by the cluster CA). */
  pki: { caCert: string; caKey: string };
  logs: Record<string, string>;
  stop(): Promise<void>;
}

function sh(cmd: string, args: string[], opts: { cwd?: string; allowFail?: boolean } = {}): string {
  try {
    return execFileSync(cmd, args, { cwd: opts.cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    if (opts.allowFail) return '';
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stderr?.trim() || err.message}`);
  }
}

/** A CA-signed certificate (openssl), with subjectAltNames; returns [certPath, keyPath]. */
export function issueCert(
  dir: string,
  name: string,
  ca: { cert: string; key: string },
  subject: string,
  sans: string[] = [],
  usage: 'server' | 'client' = 'client',
): [string, string] {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  const ext = join(dir, `${name}.ext`);
  sh('openssl', ['genrsa', '-out', key, '2048']);
  sh('openssl', ['req', '-new', '-key', key, '-subj', subject, '-out', csr]);
  writeFileSync(
    ext,
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      `extendedKeyUsage=${usage === 'server' ? 'serverAuth,clientAuth' : 'clientAuth'}`,
      ...(sans.length ? [`subjectAltName=${sans.join(',')}`] : []),
    ].join('\n'),
  );
  sh('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-days',
    '30',
    '-sha256',
    '-extfile',
    ext,
    '-out',
    cert,
  ]);
  return [cert, key];
}

function makeCa(dir: string, name: string, cn: string): { cert: string; key: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  sh('openssl', ['genrsa', '-out', key, '2048']);
  sh('openssl', [
    'req',
    '-x509',
    '-new',
    '-nodes',
    '-key',
    key,
    '-subj',
    `/CN=${cn}`,
    '-days',
    '30',
    '-sha256',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
    '-out',
    cert,
  ]);
  return { cert, key };
}

export function kubeconfigFor(server: string, caCert: string, cert: string, key: string): string {
  const b64 = (f: string) => readFileSync(f).toString('base64');
  return `apiVersion: v1
kind: Config
clusters:
  - name: local
    cluster: { server: "${server}", certificate-authority-data: ${b64(caCert)} }
users:
  - name: admin
    user: { client-certificate-data: ${b64(cert)}, client-key-data: ${b64(key)} }
contexts:
  - name: local
    context: { cluster: local, user: admin }
current-context: local
`;
}

/**
 * The pod bridge. One cluster tier at a time per machine: a leftover bridge of the same name (a killed
 * run) is removed first. Needs root (CAP_NET_ADMIN), which these machines and CI have.
 */
export function createPodNetwork(index = 77): PodNetwork {
  const bridge = `todofn-br${index}`;
  const network: PodNetwork = {
    bridge,
    hostIp: `10.244.${index}.1`,
    podCidr: `10.244.${index}.0/24`,
    serviceCidr: `10.${96 + (index % 100)}.0.0/16`,
  };
  deletePodNetwork(network);
  try {
    sh('ip', ['link', 'add', bridge, 'type', 'bridge']);
    sh('ip', ['addr', 'add', `${network.hostIp}/24`, 'dev', bridge]);
    sh('ip', ['link', 'set', bridge, 'up']);
  } catch (e) {
    throw new Error(
      `Could not create the pod bridge ${bridge} (${(e as Error).message}). The cluster tier runs each pod in a network namespace and needs root with CAP_NET_ADMIN and iproute2 (ip).`,
    );
  }
  return network;
}

export function deletePodNetwork(network: PodNetwork): void {
  sh('ip', ['link', 'del', network.bridge], { allowFail: true });
  // Namespaces the node agent made for pods of an earlier run of this bridge.
  for (const ns of sh('ip', ['netns', 'list'], { allowFail: true }).split('\n')) {
    const name = ns.split(' ')[0];
    if (name?.startsWith(`${network.bridge}-`)) sh('ip', ['netns', 'del', name], { allowFail: true });
  }
}

async function healthy(url: string, ca: string, cert: string, key: string): Promise<boolean> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { ca: readFileSync(ca), cert: readFileSync(cert), key: readFileSync(key), timeout: 2000 },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve(true) : reject(new Error(`${url} → ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** etcd + kube-apiserver + kube-controller-manager + kube-scheduler on free 127.0.0.1 ports. */
export async function startControlPlane(
  opts: { network?: PodNetwork; startTimeoutMs?: number; bin?: string } = {},
): Promise<ControlPlane> {
  const bin = opts.bin ?? (await ensureK8sCluster()).bin;
  const network = opts.network ?? createPodNetwork();
  const dir = makeTempDir('k8s');
  const pki = join(dir, 'pki');
  mkdirSync(pki);
  const ca = makeCa(pki, 'ca', 'todo-fn-cluster-ca');
  const frontProxyCa = makeCa(pki, 'front-proxy-ca', 'todo-fn-front-proxy-ca');
  const firstServiceIp = network.serviceCidr.replace(/\.0\.0\/16$/, '.0.1');
  const [apiCert, apiKey] = issueCert(
    pki,
    'apiserver',
    ca,
    '/CN=kube-apiserver',
    [
      'IP:127.0.0.1',
      `IP:${firstServiceIp}`,
      `IP:${network.hostIp}`,
      'DNS:localhost',
      'DNS:kubernetes',
      'DNS:kubernetes.default',
      'DNS:kubernetes.default.svc',
      'DNS:kubernetes.default.svc.cluster.local',
    ],
    'server',
  );
  const [adminCert, adminKey] = issueCert(pki, 'admin', ca, '/O=system:masters/CN=todo-fn-admin');
  const [proxyCert, proxyKey] = issueCert(pki, 'front-proxy-client', frontProxyCa, '/CN=front-proxy-client');
  const saKey = join(pki, 'sa.key');
  const saPub = join(pki, 'sa.pub');
  sh('openssl', ['genrsa', '-out', saKey, '2048']);
  sh('openssl', ['rsa', '-in', saKey, '-pubout', '-out', saPub]);

  const [etcdClient, etcdPeer, etcdMetrics, apiPort, cmPort, schedPort] = (await freePorts(6)) as number[];
  const server = `https://127.0.0.1:${apiPort}`;
  const kubeconfig = join(dir, 'admin.kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(server, ca.cert, adminCert, adminKey));
  const procs: EngineProcess[] = [];
  const logs: Record<string, string> = {};
  const start = (name: string, args: string[]) => {
    const logFile = join(dir, `${name}.log`);
    logs[name] = logFile;
    const p = startProcess({ name, command: join(bin, name), args, logFile, cwd: dir, hint: HINT });
    procs.push(p);
    return p;
  };
  const timeout = opts.startTimeoutMs ?? 120_000;
  const stopAll = async () => {
    // Reverse order; kube-apiserver takes ~60 s to exit on SIGTERM: a short grace, then KILL.
    for (const p of [...procs].reverse()) await p.stop(3000);
  };
  try {
    const etcd = start('etcd', [
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
      `--listen-metrics-urls=http://127.0.0.1:${etcdMetrics}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    await waitUntil(
      etcd,
      'etcd /health',
      timeout,
      async () => (await fetch(`http://127.0.0.1:${etcdClient}/health`)).ok,
      HINT,
    );
    const apiserver = start('kube-apiserver', [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      '--advertise-address=127.0.0.1',
      // 127.0.0.1 is not allowed for the endpoint reconciler; nothing in the cluster uses kubernetes.default.
      '--endpoint-reconciler-type=none',
      `--service-cluster-ip-range=${network.serviceCidr}`,
      `--tls-cert-file=${apiCert}`,
      `--tls-private-key-file=${apiKey}`,
      `--client-ca-file=${ca.cert}`,
      `--service-account-key-file=${saPub}`,
      `--service-account-signing-key-file=${saKey}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      '--authorization-mode=Node,RBAC',
      // The aggregation layer, for KEDA's external metrics APIService.
      `--requestheader-client-ca-file=${frontProxyCa.cert}`,
      '--requestheader-allowed-names=front-proxy-client',
      '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      '--requestheader-group-headers=X-Remote-Group',
      '--requestheader-username-headers=X-Remote-User',
      `--proxy-client-cert-file=${proxyCert}`,
      `--proxy-client-key-file=${proxyKey}`,
      // APIServices and webhooks are reached at their endpoint's IP, not a ClusterIP (there is no kube-proxy).
      '--enable-aggregator-routing=true',
      '--allow-privileged=true',
      '--v=1',
    ]);
    await waitUntil(
      apiserver,
      'kube-apiserver /readyz',
      timeout,
      () => healthy(`${server}/readyz`, ca.cert, adminCert, adminKey),
      HINT,
    );
    start('kube-controller-manager', [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${cmPort}`,
      '--leader-elect=false',
      '--controllers=*',
      // With false its controllers are RBAC-forbidden and no ReplicaSet appears.
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${saKey}`,
      `--root-ca-file=${ca.cert}`,
      `--cluster-signing-cert-file=${ca.cert}`,
      `--cluster-signing-key-file=${ca.key}`,
      `--service-cluster-ip-range=${network.serviceCidr}`,
      // The HPA (KEDA's 1↔N) reads metrics every 5 s instead of 15 s.
      '--horizontal-pod-autoscaler-sync-period=5s',
      '--v=1',
    ]);
    start('kube-scheduler', [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${schedPort}`,
      '--leader-elect=false',
      '--v=1',
    ]);
  } catch (e) {
    await stopAll();
    throw e instanceof Error ? new Error(`${e.message}\n(kept ${dir} for inspection)`) : e;
  }
  let stopped: Promise<void> | undefined;
  return {
    dir,
    kubeconfig,
    server,
    network,
    pki: { caCert: ca.cert, caKey: ca.key },
    logs,
    stop() {
      stopped ??= stopAll().then(() => {
        if (!opts.network) deletePodNetwork(network);
        removeTempDir(dir);
      });
      return stopped;
    },
  };
}

export interface Keda {
  logs: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * KEDA's operator (0↔1, and the HPAs it owns) and its metrics adapter (the external.metrics.k8s.io
 * APIService the HPA reads for 1↔N), out of cluster, with KEDA's CRDs applied from the same module.
 * The adapter listens on the pod bridge's host address: an APIService routes to an endpoint IP, and
 * the apiserver refuses loopback endpoints.
 */
export async function startKeda(cp: ControlPlane, opts: { startTimeoutMs?: number } = {}): Promise<Keda> {
  const { bin, kedaCrds } = await ensureK8sCluster();
  const dir = makeTempDir('keda');
  const kubectl = (args: string[], input?: string) =>
    execFileSync('kubectl', ['--kubeconfig', cp.kubeconfig, ...args], {
      input,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  kubectl(['create', 'namespace', 'keda']);
  for (const f of readdirSync(kedaCrds).filter((n) => n.endsWith('.yaml')))
    kubectl(['apply', '--server-side', '-f', join(kedaCrds, f)]);
  kubectl(['wait', '--for=condition=Established', 'crd/scaledobjects.keda.sh', '--timeout=60s']);

  // Operator and adapter talk gRPC to each other over TLS with certs from --cert-dir.
  const certs = join(dir, 'certs');
  mkdirSync(certs);
  const ca = { cert: cp.pki.caCert, key: cp.pki.caKey };
  // issueCert names them tls.crt / tls.key, as KEDA reads them from --cert-dir.
  issueCert(
    certs,
    'tls',
    ca,
    '/CN=keda-operator',
    [
      'DNS:localhost',
      'IP:127.0.0.1',
      `IP:${cp.network.hostIp}`,
      'DNS:keda-operator.keda.svc',
      'DNS:keda-operator',
      'DNS:keda-operator-metrics-apiserver.keda.svc',
    ],
    'server',
  );
  execFileSync('cp', [ca.cert, join(certs, 'ca.crt')]);

  const [metrics, probes, grpc, adapterMetrics, adapterPort] = (await freePorts(5)) as number[];
  const env = {
    KUBECONFIG: cp.kubeconfig,
    WATCH_NAMESPACE: '',
    POD_NAMESPACE: 'keda',
    KEDA_CLUSTER_OBJECT_NAMESPACE: 'keda',
    OPERATOR_NAME: 'keda-operator',
    KEDA_HTTP_DEFAULT_TIMEOUT: '3000',
  };
  const logs: Record<string, string> = {};
  const procs: EngineProcess[] = [];
  const start = (name: string, args: string[]) => {
    logs[name] = join(dir, `${name}.log`);
    const p = startProcess({
      name,
      command: join(bin, name),
      args,
      logFile: logs[name],
      cwd: dir,
      env,
      hint: HINT,
    });
    procs.push(p);
    return p;
  };
  const operator = start('keda-operator', [
    `--kubeconfig=${cp.kubeconfig}`,
    '--leader-elect=false',
    `--metrics-bind-address=127.0.0.1:${metrics}`,
    `--health-probe-bind-address=127.0.0.1:${probes}`,
    `--metrics-service-bind-address=127.0.0.1:${grpc}`,
    `--cert-dir=${certs}`,
    '--enable-cert-rotation=false',
    '--zap-log-level=info',
    '--zap-encoder=console',
  ]);
  const timeout = opts.startTimeoutMs ?? 120_000;
  try {
    await waitUntil(
      operator,
      'keda-operator /readyz',
      timeout,
      async () => (await fetch(`http://127.0.0.1:${probes}/readyz`)).ok,
      HINT,
    );
    await startAdapter();
  } catch (e) {
    for (const p of procs.reverse()) await p.stop(2000);
    throw e;
  }

  async function startAdapter() {
    // The APIService, and a Service + EndpointSlice that point the apiserver at the adapter on this host.
    kubectl(
      ['apply', '-f', '-'],
      `apiVersion: v1
kind: Service
metadata: { name: keda-operator-metrics-apiserver, namespace: keda }
spec: { ports: [{ name: https, port: 443, targetPort: ${adapterPort} }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: keda-operator-metrics-apiserver-host
  namespace: keda
  labels: { kubernetes.io/service-name: keda-operator-metrics-apiserver }
addressType: IPv4
ports: [{ name: https, port: ${adapterPort}, protocol: TCP }]
endpoints: [{ addresses: ["${cp.network.hostIp}"], conditions: { ready: true } }]
---
apiVersion: v1
kind: Endpoints
metadata: { name: keda-operator-metrics-apiserver, namespace: keda }
subsets: [{ addresses: [{ ip: "${cp.network.hostIp}" }], ports: [{ name: https, port: ${adapterPort} }] }]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: { name: v1beta1.external.metrics.k8s.io }
spec:
  service: { name: keda-operator-metrics-apiserver, namespace: keda, port: 443 }
  group: external.metrics.k8s.io
  version: v1beta1
  caBundle: ${readFileSync(ca.cert).toString('base64')}
  groupPriorityMinimum: 100
  versionPriority: 100
`,
    );
    const adapter = start('keda-adapter', [
      `--kubeconfig=${cp.kubeconfig}`,
      `--lister-kubeconfig=${cp.kubeconfig}`,
      `--authentication-kubeconfig=${cp.kubeconfig}`,
      `--authorization-kubeconfig=${cp.kubeconfig}`,
      `--secure-port=${adapterPort}`,
      `--bind-address=${cp.network.hostIp}`,
      `--tls-cert-file=${join(certs, 'tls.crt')}`,
      `--tls-private-key-file=${join(certs, 'tls.key')}`,
      `--cert-dir=${certs}`,
      `--metrics-service-address=127.0.0.1:${grpc}`,
      // Its own Prometheus port (binds every interface; nothing here scrapes it).
      `--port=${adapterMetrics}`,
      '--v=1',
    ]);
    // Ready when the aggregator has discovered it: the HPA reads external metrics through this path.
    await waitUntil(
      adapter,
      'APIService v1beta1.external.metrics.k8s.io Available',
      timeout,
      async () =>
        kubectl([
          'get',
          'apiservice',
          'v1beta1.external.metrics.k8s.io',
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Available")].status}',
        ]) === 'True',
      HINT,
    );
  }
  let stopped: Promise<void> | undefined;
  return {
    logs,
    stop() {
      stopped ??= (async () => {
        for (const p of [...procs].reverse()) await p.stop(3000);
        removeTempDir(dir);
      })();
      return stopped;
    },
  };
}
