import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { daprSidecarFor, injectionPatch } from './dapr-sidecar.ts';

const settings = { image: 'ghcr.io/dapr/daprd:1.18.2', schedulerAddress: '10.244.77.1:50006' };
const pod = (annotations: Record<string, string>): V1Pod => ({
  metadata: { generateName: 'audit-', annotations },
  spec: { containers: [{ name: 'function', image: 'todo-audit:abc' }] },
});
const arg = (args: string[] | undefined, flag: string) => args?.[args.indexOf(flag) + 1];

describe('daprSidecarFor', () => {
  it('gives daprd what Dapr’s injector reads from the annotations', () => {
    const c = daprSidecarFor(
      pod({
        'dapr.io/enabled': 'true',
        'dapr.io/app-id': 'audit',
        'dapr.io/app-port': '3000',
        'dapr.io/config': 'daprconfig',
        'dapr.io/graceful-shutdown-seconds': '10',
        'dapr.io/sidecar-cpu-request': '10m',
      }),
      settings,
    );
    expect(c?.image).toBe(settings.image);
    expect(arg(c?.args, '--app-id')).toBe('audit');
    expect(arg(c?.args, '--app-port')).toBe('3000');
    expect(arg(c?.args, '--dapr-graceful-shutdown-seconds')).toBe('10');
    expect(arg(c?.args, '--scheduler-host-address')).toBe(settings.schedulerAddress);
    expect(c?.resources?.requests).toEqual({ cpu: '10m' });
  });

  it('gives daprd APP_API_TOKEN from the Secret dapr.io/app-token-secret names (key `token`), as the injector does', () => {
    const c = daprSidecarFor(
      pod({
        'dapr.io/enabled': 'true',
        'dapr.io/app-id': 'audit',
        'dapr.io/app-token-secret': 'todo-dapr-app-token',
      }),
      settings,
    );
    expect(c?.env).toEqual([
      { name: 'APP_API_TOKEN', valueFrom: { secretKeyRef: { name: 'todo-dapr-app-token', key: 'token' } } },
    ]);
    expect(daprSidecarFor(pod({ 'dapr.io/enabled': 'true' }), settings)?.env).toBeUndefined();
  });

  it('leaves pods that do not ask for Dapr alone, and never injects twice', () => {
    expect(daprSidecarFor(pod({}), settings)).toBeUndefined();
    expect(injectionPatch(pod({ 'dapr.io/enabled': 'false' }), settings)).toEqual([]);
    const already = pod({ 'dapr.io/enabled': 'true' });
    already.spec?.containers.push({ name: 'daprd', image: settings.image });
    expect(injectionPatch(already, settings)).toEqual([]);
    expect(injectionPatch(pod({ 'dapr.io/enabled': 'true' }), settings)).toHaveLength(1);
  });
});
