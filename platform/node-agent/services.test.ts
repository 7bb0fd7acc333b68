import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { endpointsFor, hostsFor } from './services.ts';

const svc = (namespace: string, name: string, spec: V1Service['spec']): V1Service => ({
  metadata: { namespace, name },
  spec,
});

describe('hostsFor', () => {
  const services = [
    svc('todo-app', 'clock', { clusterIP: '10.96.0.10', ports: [{ port: 8080 }] }),
    svc('keda', 'interceptor', { clusterIP: '10.96.0.20', ports: [{ port: 8080 }] }),
    svc('todo-app', 'list-tasks', {
      type: 'ExternalName',
      externalName: 'interceptor.keda.svc.cluster.local',
    }),
    svc('todo-app', 'headless', { clusterIP: 'None' }),
  ];

  it('names every Service by its DNS names, short names only in the pod’s own namespace', () => {
    const hosts = hostsFor('todo-app', services);
    expect(hosts).toContain(
      '10.96.0.10 clock.todo-app.svc.cluster.local clock.todo-app.svc clock.todo-app clock\n',
    );
    expect(hosts).toContain(
      '10.96.0.20 interceptor.keda.svc.cluster.local interceptor.keda.svc interceptor.keda\n',
    );
    expect(hosts).not.toContain('headless');
  });

  it('resolves an ExternalName to another in-cluster Service like its CNAME would', () => {
    expect(hostsFor('todo-app', services)).toContain('10.96.0.20 list-tasks.todo-app.svc.cluster.local');
  });
});

describe('endpointsFor', () => {
  const service = svc('todo-app', 'audit', {
    clusterIP: '10.96.0.30',
    ports: [{ name: 'http', port: 8080 }],
  });
  const slice = (name: string, ready: boolean[], port = 3000): V1EndpointSlice => ({
    metadata: { namespace: 'todo-app', name, labels: { 'kubernetes.io/service-name': 'audit' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port }],
    endpoints: ready.map((r, i) => ({ addresses: [`10.244.0.${i + 2}`], conditions: { ready: r } })),
  });

  it('takes only ready endpoints, with the target port the slice resolved', () => {
    expect(endpointsFor(service, 'http', [slice('a', [true, false, true])])).toEqual([
      { ip: '10.244.0.2', port: 3000 },
      { ip: '10.244.0.4', port: 3000 },
    ]);
  });

  it('ignores slices of other Services and ports of other names', () => {
    const other = {
      ...slice('b', [true]),
      metadata: { namespace: 'todo-app', labels: { 'kubernetes.io/service-name': 'x' } },
    };
    expect(endpointsFor(service, 'http', [other])).toEqual([]);
    expect(endpointsFor(service, 'metrics', [slice('c', [true])])).toEqual([]);
  });
});
