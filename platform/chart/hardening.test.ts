// The chart's hardening, rendered with helm: each function holds only the secrets its catalog entry
// lists, the schema's owner reaches the migration Job alone, and the ingress limits each client.
import { beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../functions/catalog.ts';
import { type K8sObject, parseObjects, renderChart } from '../derive/rendered.ts';
import { k8sTools } from '../derive/tools.ts';

// helm comes from platform/engines/get-k8s-tools.sh: minutes when cold.
beforeAll(async () => {
  await k8sTools();
}, 30 * 60_000);

const MINIKUBE = ['values.yaml'];
const CLOUD = ['values.yaml', 'values-cloud.yaml'];
const LOCAL = ['values.yaml', 'values-local.yaml'];
// With a model endpoint, so that chat's OPENAI_API_KEY is rendered too.
const WITH_MODEL = ['config.openai.baseUrl=https://models.example.com/v1'];

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
interface PodTemplate {
  spec: { containers: { name: string; env?: EnvVar[] }[] };
}

/** The env of the first container of every Deployment, Knative Service and Job, by object name. */
function envByWorkload(objects: K8sObject[]): Map<string, EnvVar[]> {
  const out = new Map<string, EnvVar[]>();
  for (const o of objects) {
    const template = (o.spec as { template?: PodTemplate } | undefined)?.template;
    if (!template || !['Deployment', 'Service', 'Job'].includes(o.kind)) continue;
    out.set(`${o.kind}/${o.metadata.name}`, template.spec.containers[0]?.env ?? []);
  }
  return out;
}

const secretEnv = (env: EnvVar[]) =>
  env
    .filter((e) => e.valueFrom?.secretKeyRef)
    .map((e) => e.name)
    .sort();

const stringData = (objects: K8sObject[], name: string) =>
  (
    objects.find((o) => o.kind === 'Secret' && o.metadata.name === name) as unknown as {
      stringData: Record<string, string>;
    }
  ).stringData;

describe('per-function secrets (functions/catalog.ts `secrets`)', () => {
  it.each([
    ['Minikube', MINIKUBE, []],
    ['cloud', CLOUD, []],
    ['Knative', MINIKUBE, ['knative.enabled=true']],
  ])(
    '(%s) each function container gets exactly the secrets its catalog entry lists',
    async (_, values, set) => {
      const env = envByWorkload(parseObjects(await renderChart(values, [...WITH_MODEL, ...set])));
      for (const fn of catalog) {
        const workload = env.get(`Deployment/${fn.name}`) ?? env.get(`Service/${fn.name}`);
        expect(workload, `${fn.name} is rendered`).toBeDefined();
        expect(secretEnv(workload!), fn.name).toEqual([...fn.secrets].sort());
      }
    },
  );

  it('list-tasks holds no Resend key, no model key and no app token; notify and auth hold the Resend key', async () => {
    const env = envByWorkload(parseObjects(await renderChart(CLOUD, WITH_MODEL)));
    const names = (fn: string) => env.get(`Deployment/${fn}`)!.map((e) => e.name);
    expect(names('list-tasks')).toEqual(expect.arrayContaining(['DATABASE_URL', 'JWT_SECRET']));
    for (const key of ['RESEND_API_KEY', 'OPENAI_API_KEY', 'APP_API_TOKEN', 'MIGRATION_DATABASE_URL'])
      expect(names('list-tasks'), key).not.toContain(key);
    expect(names('notify')).toContain('RESEND_API_KEY');
    expect(names('notify')).toContain('APP_API_TOKEN');
    expect(names('auth')).toContain('RESEND_API_KEY');
    expect(names('chat')).toContain('OPENAI_API_KEY');
    expect(names('notify')).not.toContain('OPENAI_API_KEY');
    // The gateway only forwards: no secret at all.
    expect(secretEnv(env.get('Deployment/gateway')!)).toEqual([]);
    // The Resend key is optional (email is logged without it); the model key too.
    const resend = env.get('Deployment/notify')!.find((e) => e.name === 'RESEND_API_KEY')!;
    expect(resend.valueFrom?.secretKeyRef).toEqual({
      name: 'todo-secrets',
      key: 'RESEND_API_KEY',
      optional: true,
    });
  });
});

describe('two database roles', () => {
  it('gives the owner URL to the migration Job alone, and the app role URL to the Job and the functions', async () => {
    for (const values of [MINIKUBE, CLOUD, LOCAL]) {
      const env = envByWorkload(parseObjects(await renderChart(values)));
      const job = env.get('Job/todo-migrate')!;
      expect(
        job.find((e) => e.name === 'MIGRATION_DATABASE_URL')?.valueFrom?.secretKeyRef,
        values.join(),
      ).toEqual({
        name: 'todo-secrets',
        key: 'MIGRATION_DATABASE_URL',
        // A Secret without it (a single-role install) still migrates, with DATABASE_URL; the Job says so.
        optional: true,
      });
      expect(job.find((e) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef).toEqual({
        name: 'todo-secrets',
        key: 'DATABASE_URL',
      });
      const holders = [...env]
        .filter(([, vars]) => vars.some((e) => e.valueFrom?.secretKeyRef?.key === 'MIGRATION_DATABASE_URL'))
        .map(([name]) => name);
      expect(holders, values.join()).toEqual(['Job/todo-migrate']);
    }
  });

  it('Minikube: the functions connect as todo_app with a generated password, the Job as the owner', async () => {
    const data = stringData(parseObjects(await renderChart(MINIKUBE)), 'todo-secrets');
    expect(data.MIGRATION_DATABASE_URL).toBe('postgres://todo:todo@postgres:5432/todo');
    // Offline, the password is the placeholder `platform up` fills (the same value in both keys).
    expect(data.APP_DATABASE_PASSWORD).toBe('generated-by-platform-up:todo-secrets/APP_DATABASE_PASSWORD');
    expect(data.DATABASE_URL).toBe(`postgres://todo_app:${data.APP_DATABASE_PASSWORD}@postgres:5432/todo`);
    // The query string (sslmode …) of the owner's URL carries over; an explicit DATABASE_URL is kept.
    const withQuery = stringData(
      parseObjects(
        await renderChart(MINIKUBE, [
          'secrets.minikube.MIGRATION_DATABASE_URL=postgres://admin:pw@db.example:5432/todo?sslmode=require',
          'secrets.appRole=todo_rw',
        ]),
      ),
      'todo-secrets',
    );
    expect(withQuery.DATABASE_URL).toBe(
      `postgres://todo_rw:${withQuery.APP_DATABASE_PASSWORD}@db.example:5432/todo?sslmode=require`,
    );
    const explicit = stringData(
      parseObjects(
        await renderChart(MINIKUBE, ['secrets.minikube.DATABASE_URL=postgres://app:x@db:5432/todo']),
      ),
      'todo-secrets',
    );
    expect(explicit.DATABASE_URL).toBe('postgres://app:x@db:5432/todo');
    expect(explicit.APP_DATABASE_PASSWORD).toBeUndefined();
  });

  it('the local cluster keeps one role (its DATABASE_URL comes from `platform up`), and the cloud syncs both URLs', async () => {
    const local = stringData(parseObjects(await renderChart(LOCAL)), 'todo-secrets');
    expect(local.MIGRATION_DATABASE_URL).toBeUndefined();
    expect(local.DATABASE_URL).toBe('postgres://set-by-platform-up');
    const cloud = parseObjects(await renderChart(CLOUD)).find((o) => o.kind === 'ExternalSecret')!;
    const keys = (cloud.spec as { data: { secretKey: string }[] }).data.map((d) => d.secretKey);
    expect(keys).toEqual(expect.arrayContaining(['DATABASE_URL', 'MIGRATION_DATABASE_URL']));
  });
});

describe('ingress limits per client (ingress-nginx)', () => {
  const annotations = async (values: string[], set: string[] = []) =>
    parseObjects(await renderChart(values, set)).find((o) => o.kind === 'Ingress')!.metadata.annotations ??
    {};

  it.each([
    ['Minikube', MINIKUBE],
    ['cloud', CLOUD],
  ])('(%s) are on by default: requests per second with bursts, and connections', async (_, values) => {
    const a = await annotations(values);
    expect(a).toMatchObject({
      'nginx.ingress.kubernetes.io/limit-rps': '20',
      'nginx.ingress.kubernetes.io/limit-burst-multiplier': '5',
      'nginx.ingress.kubernetes.io/limit-connections': '40',
      // The notification stream's settings are still there beside them.
      'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
    });
  });

  it('follow ingress.rateLimit, and go away when it is disabled', async () => {
    const tuned = await annotations(MINIKUBE, [
      'ingress.rateLimit.rps=50',
      'ingress.rateLimit.connections=0',
    ]);
    expect(tuned['nginx.ingress.kubernetes.io/limit-rps']).toBe('50');
    expect(tuned['nginx.ingress.kubernetes.io/limit-connections']).toBeUndefined();
    const off = await annotations(CLOUD, ['ingress.rateLimit.enabled=false']);
    expect(Object.keys(off).filter((k) => k.includes('/limit-'))).toEqual([]);
    expect(off['cert-manager.io/cluster-issuer']).toBe('letsencrypt');
  });
});
