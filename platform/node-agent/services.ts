// Services without kube-proxy: for each ClusterIP Service port, a TCP proxy on that ClusterIP (added to
// the node's bridge, which every pod routes through) that forwards each connection to a ready endpoint
// from the Service's EndpointSlices — kube-proxy's old userspace mode. Names resolve through hosts files.
import { execFileSync } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';

export interface Endpoint {
  ip: string;
  port: number;
}

/** Lines of a pod's /etc/hosts: every ClusterIP Service by its DNS names (short names in the pod's namespace). */
export function hostsFor(namespace: string, services: readonly V1Service[]): string {
  const byFqdn = new Map<string, string>();
  for (const s of services) {
    const ip = s.spec?.clusterIP;
    if (ip && ip !== 'None') byFqdn.set(`${s.metadata?.name}.${s.metadata?.namespace}.svc.cluster.local`, ip);
  }
  const lines = ['127.0.0.1 localhost'];
  for (const s of services) {
    const name = s.metadata?.name ?? '';
    const ns = s.metadata?.namespace ?? '';
    let ip = s.spec?.clusterIP;
    // An ExternalName to another Service in the cluster resolves like its CNAME would.
    if (s.spec?.type === 'ExternalName') ip = byFqdn.get((s.spec.externalName ?? '').replace(/\.$/, ''));
    if (!ip || ip === 'None') continue;
    const names = [`${name}.${ns}.svc.cluster.local`, `${name}.${ns}.svc`, `${name}.${ns}`];
    if (ns === namespace) names.push(name);
    lines.push(`${ip} ${names.join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Ready endpoints of one Service port, from its EndpointSlices. */
export function endpointsFor(
  service: V1Service,
  portName: string | undefined,
  slices: readonly V1EndpointSlice[],
): Endpoint[] {
  const out: Endpoint[] = [];
  for (const slice of slices) {
    if (slice.metadata?.namespace !== service.metadata?.namespace) continue;
    if (slice.metadata?.labels?.['kubernetes.io/service-name'] !== service.metadata?.name) continue;
    const port = slice.ports?.find((p) => (p.name ?? '') === (portName ?? ''))?.port;
    if (!port) continue;
    for (const e of slice.endpoints ?? [])
      if (e.conditions?.ready !== false) for (const ip of e.addresses) out.push({ ip, port });
  }
  return out;
}

export class ServiceProxy {
  private readonly servers = new Map<string, Server>();
  private readonly addresses = new Set<string>();
  private services: readonly V1Service[] = [];
  private slices: readonly V1EndpointSlice[] = [];
  private rr = 0;

  constructor(
    private readonly bridge: string,
    /** Where `default/kubernetes` goes: the apiserver has no endpoints for it (no endpoint reconciler). */
    private readonly apiserver: Endpoint,
    private readonly log: (line: string) => void,
  ) {}

  update(services: readonly V1Service[], slices: readonly V1EndpointSlice[]): void {
    this.services = services;
    this.slices = slices;
    const wanted = new Set<string>();
    for (const s of services) {
      const ip = s.spec?.clusterIP;
      if (!ip || ip === 'None' || s.spec?.type === 'ExternalName') continue;
      for (const p of s.spec?.ports ?? []) {
        if ((p.protocol ?? 'TCP') !== 'TCP') continue;
        const key = `${s.metadata?.namespace}/${s.metadata?.name}/${ip}:${p.port}`;
        wanted.add(key);
        if (!this.servers.has(key))
          this.listen(key, ip, p.port, s.metadata?.namespace ?? '', s.metadata?.name ?? '', p.name);
      }
    }
    for (const [key, server] of this.servers)
      if (!wanted.has(key)) {
        server.close();
        this.servers.delete(key);
      }
  }

  private listen(key: string, ip: string, port: number, namespace: string, name: string, portName?: string) {
    if (!this.addresses.has(ip)) {
      try {
        execFileSync('ip', ['addr', 'add', `${ip}/32`, 'dev', this.bridge], { stdio: 'ignore' });
      } catch {
        // already there
      }
      this.addresses.add(ip);
    }
    const server = createServer((client) => this.forward(client, namespace, name, portName, Date.now()));
    server.on('error', (e) => this.log(`service ${namespace}/${name} ${ip}:${port}: ${e.message}`));
    server.listen(port, ip);
    this.servers.set(key, server);
  }

  /** Picks a ready endpoint (round robin); with none yet, waits up to 5 s for one (a pod starting). */
  private forward(
    client: Socket,
    namespace: string,
    name: string,
    portName: string | undefined,
    since: number,
  ) {
    const service = this.services.find(
      (s) => s.metadata?.namespace === namespace && s.metadata?.name === name,
    );
    const endpoints =
      namespace === 'default' && name === 'kubernetes'
        ? [this.apiserver]
        : service
          ? endpointsFor(service, portName, this.slices)
          : [];
    if (endpoints.length === 0) {
      if (!service || Date.now() - since > 5000 || client.destroyed) {
        client.destroy();
        return;
      }
      client.pause();
      setTimeout(() => this.forward(client, namespace, name, portName, since), 100);
      return;
    }
    const target = endpoints[this.rr++ % endpoints.length]!;
    const upstream = createConnection(target.port, target.ip);
    client.pipe(upstream).pipe(client);
    client.resume();
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  }

  close(): void {
    for (const s of this.servers.values()) s.close();
    this.servers.clear();
    for (const ip of this.addresses)
      try {
        execFileSync('ip', ['addr', 'del', `${ip}/32`, 'dev', this.bridge], { stdio: 'ignore' });
      } catch {
        // bridge already gone
      }
  }
}
