// The GitHub Actions workflows pass actionlint (pinned, from platform/engines), pin every action by its
// full commit SHA, and carry no secret.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { k8sTools, run } from './derive/tools.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const workflowsDir = join(root, '.github/workflows');
// actionlint comes from platform/engines/get-k8s-tools.sh: minutes when cold.
beforeAll(async () => {
  await k8sTools();
}, 30 * 60_000);

const workflows = readdirSync(workflowsDir).filter((f) => /\.ya?ml$/.test(f));

describe('.github/workflows', () => {
  it('has ci, deploy and its per-environment rollout', () => {
    expect(workflows.sort()).toEqual(['ci.yml', 'deploy-environment.yml', 'deploy.yml']);
  });

  it('deploys only a commit on main whose ci passed, and rolls out exactly that commit', () => {
    const deploy = parse(readFileSync(join(workflowsDir, 'deploy.yml'), 'utf8'));
    expect(deploy.on).toEqual({
      workflow_run: { workflows: ['ci'], types: ['completed'], branches: ['main'] },
    });
    expect(deploy.jobs.plan.if).toMatch(/workflow_run\.conclusion == 'success'/);
    expect(deploy.jobs.plan.outputs.sha).toMatch(/^\$\{\{ github\.event\.workflow_run\.head_sha \}\}$/);
    for (const env of ['staging', 'production'])
      expect(deploy.jobs[env].with.sha).toMatch(/^\$\{\{ needs\.plan\.outputs\.sha \}\}$/);
    expect(readFileSync(join(workflowsDir, 'deploy.yml'), 'utf8')).not.toContain('github.sha');
  });

  it('runs the container path on kind: buildx images loaded into kind, `platform up`, the scale check', () => {
    const ci = parse(readFileSync(join(workflowsDir, 'ci.yml'), 'utf8'));
    const job = ci.jobs.kind;
    expect(job, 'ci.yml has a kind job').toBeDefined();
    const steps = job.steps as {
      name?: string;
      uses?: string;
      run?: string;
      if?: string;
      with?: Record<string, string>;
    }[];
    const at = (test: (s: (typeof steps)[number]) => boolean, what: string) => {
      const i = steps.findIndex(test);
      expect(i, `kind job: ${what}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    const runs = (re: RegExp) => (s: (typeof steps)[number]) => re.test(s.run ?? '');

    // A kind cluster of a pinned kind release and node image.
    const cluster = at((s) => !!s.uses?.startsWith('helm/kind-action@'), 'helm/kind-action');
    expect(steps[cluster]!.with?.version).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(steps[cluster]!.with?.node_image).toMatch(/^kindest\/node:v[\d.]+@sha256:[0-9a-f]{64}$/);
    at((s) => !!s.uses?.startsWith('docker/setup-buildx-action@'), 'docker/setup-buildx-action');

    // Images: buildx --load for every name the CLI builds, then kind load, into the cluster created above.
    const images = at(
      runs(/^platform\/scripts\/kind-images\.sh "\$IMAGE_TAG" "\$KIND_CLUSTER"$/),
      'kind-images.sh',
    );
    expect(images).toBeGreaterThan(cluster);
    expect(job.env.IMAGE_TAG).toMatch(/^\$\{\{ github\.sha \}\}$/);
    expect(steps[cluster]!.with?.cluster_name).toMatch(/^\$\{\{ env\.KIND_CLUSTER \}\}$/);
    const imagesScript = readFileSync(join(root, 'platform/scripts/kind-images.sh'), 'utf8');
    expect(imagesScript).toContain("importTs('platform/cli/images.ts')");
    expect(imagesScript).toMatch(
      /docker buildx build --load --provenance=false -f platform\/Dockerfile "\$\{target\[@\]\}" -t "todo-\$name:\$tag" \./,
    );
    expect(imagesScript).toContain('--build-arg "FUNCTION=$name"');
    expect(imagesScript).toMatch(/kind load docker-image --name "\$cluster"/);

    // The same install as Minikube's, with those images, then the checks; diagnostics on any failure.
    const up = at(runs(/^npm run platform -- up --tag "\$IMAGE_TAG"/), 'npm run platform -- up --tag');
    const check = at(runs(/^node platform\/scripts\/kind-scale-check\.mjs$/), 'kind-scale-check.mjs');
    expect(up).toBeGreaterThan(images);
    expect(check).toBeGreaterThan(up);
    const diag = at(runs(/^node platform\/scripts\/kind-scale-check\.mjs diagnostics$/), 'diagnostics');
    expect(steps[diag]!.if).toMatch(/^failure\(\)/);
  });

  it("points the kind check at the platform's namespace, an event function and a scale-to-zero HTTP function", () => {
    const script = readFileSync(join(root, 'platform/scripts/kind-scale-check.mjs'), 'utf8');
    const option = (name: string) =>
      new RegExp(`'?${name}'?: \\{ type: 'string', default: '([^']+)' \\}`).exec(script)?.[1];
    const deps = JSON.parse(readFileSync(join(root, 'platform/k8s/dependencies.json'), 'utf8'));
    expect(option('namespace')).toBe(deps.namespace);
    const keda = (fn: string | undefined) => readFileSync(join(root, 'keda', `${fn}.yaml`), 'utf8');
    expect(keda(option('event-function'))).toMatch(/^kind: ScaledObject$/m);
    expect(keda(option('event-function'))).toMatch(/^\s+- type: kafka$/m);
    expect(keda(option('http-function'))).toMatch(/^kind: HTTPScaledObject$/m);
    expect(keda(option('http-function'))).toMatch(/^\s+min: 0$/m);
  });

  it('passes actionlint', async () => {
    const { actionlint } = await k8sTools();
    const files = workflows.map((f) => join(workflowsDir, f));
    const { stdout, stderr } = await run(actionlint, ['-color=false', ...files], { cwd: root });
    expect(stdout + stderr).toBe('');
  });

  it('pins every third-party action to a full commit SHA with a version comment', () => {
    for (const f of workflows) {
      for (const line of readFileSync(join(workflowsDir, f), 'utf8').split('\n')) {
        const m = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line);
        if (!m || m[1]!.startsWith('./')) continue;
        expect(m[1], `${f}: ${line.trim()}`).toMatch(/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/);
        expect(m[2], `${f}: ${line.trim()} needs a # vX.Y.Z comment`).toMatch(/#\s*v\d+/);
      }
    }
  });

  it('contains no credentials: secrets come from GitHub environments', () => {
    for (const f of workflows) {
      const text = readFileSync(join(workflowsDir, f), 'utf8');
      expect(text, f).not.toMatch(/(password|token|secret)\s*:\s*['"]?[A-Za-z0-9+/]{16,}/i);
      expect(text, f).not.toMatch(/-----BEGIN|ghp_[A-Za-z0-9]{20}|AKIA[0-9A-Z]{16}/);
    }
  });
});

interface Step {
  name?: string;
  env?: Record<string, string>;
  run?: string;
}

/** The rollout job's steps (deploy-environment.yml). */
function rolloutSteps(): Step[] {
  const wf = parse(readFileSync(join(workflowsDir, 'deploy-environment.yml'), 'utf8'));
  return wf.jobs.rollout.steps as Step[];
}

/**
 * Runs one step's script with bash as the runner would, its `${{ }}` env values replaced by the given
 * ones (a step's script itself must use only environment variables).
 */
function runStep(step: Step, env: Record<string, string>) {
  expect(step.run, `${step.name}: its script uses env, never \${{ }}`).not.toMatch(/\$\{\{/);
  const stepEnv = Object.fromEntries(Object.keys(step.env ?? {}).map((k) => [k, env[k] ?? '']));
  return spawnSync('bash', ['-e', '-c', step.run ?? ''], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env, ...stepEnv },
  });
}

describe('deploy-environment.yml', () => {
  const step = (name: RegExp) => rolloutSteps().find((s) => name.test(s.name ?? ''))!;

  it('takes the Kafka brokers and the host from the environment, and fails clearly when one is unset', () => {
    const check = step(/Settings the environment must provide/);
    expect(check.env?.KAFKA_BROKERS).toMatch(/^\$\{\{ vars\.KAFKA_BROKERS \}\}$/);
    expect(check.env?.HOST).toMatch(/^\$\{\{ vars\.HOST \}\}$/);
    expect(check.env?.ENVIRONMENT).toMatch(/^\$\{\{ inputs\.environment \}\}$/);
    const unset = runStep(check, { ENVIRONMENT: 'staging', HOST: 'todo.example.com', KAFKA_BROKERS: '' });
    expect(unset.status).toBe(1);
    expect(unset.stdout).toContain('::error::the staging environment has no variable KAFKA_BROKERS');
    const set = runStep(check, { ENVIRONMENT: 'staging', HOST: 'todo.example.com', KAFKA_BROKERS: 'b:9093' });
    expect(set.status, set.stdout + set.stderr).toBe(0);
    // The check runs before anything touches the cluster.
    const names = rolloutSteps().map((s) => s.name ?? '');
    expect(names.indexOf(check.name!)).toBeLessThan(names.findIndex((n) => /helm upgrade/.test(n)));
  });

  it('installs with the environment’s brokers (commas kept) and its own consumer groups and secret keys', async () => {
    const install = step(/helm upgrade --install/);
    expect(install.env?.KAFKA_BROKERS).toMatch(/^\$\{\{ vars\.KAFKA_BROKERS \}\}$/);
    expect(install.env?.ENVIRONMENT).toMatch(/^\$\{\{ inputs\.environment \}\}$/);
    // A helm that records its arguments (one per line) instead of installing.
    const dir = mkdtempSync(join(tmpdir(), 'todo-deploy-'));
    try {
      writeFileSync(join(dir, 'helm'), `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/args"\n`);
      chmodSync(join(dir, 'helm'), 0o755);
      const r = runStep(install, {
        K8S_TOOLS_BIN: dir,
        NAMESPACE: 'todo-staging',
        ENVIRONMENT: 'staging',
        HOST: 'todo.example.com',
        KAFKA_BROKERS: 'b-1.kafka.example:9093,b-2.kafka.example:9093',
        REGISTRY: 'ghcr.io/acme',
        IMAGE_TAG: 'abc123',
      });
      expect(r.status, r.stderr).toBe(0);
      const args = readFileSync(join(dir, 'args'), 'utf8').trimEnd().split('\n');
      expect(args.slice(0, 2)).toEqual(['upgrade', '--install']);
      // The same values through the real helm: what the cluster would get.
      const { helm } = await k8sTools();
      const valueArgs = args.flatMap((a, i) =>
        ['-f', '--set'].includes(args[i - 1] ?? '') ? [args[i - 1]!, a] : [],
      );
      const { stdout } = await run(
        helm,
        ['template', 'todo', 'platform/chart', '-n', 'todo-staging', ...valueArgs],
        {
          cwd: root,
        },
      );
      const docs = stdout
        .split(/^---$/m)
        .map((d) => parse(d))
        .filter(Boolean);
      const pubsub = docs.find((d) => d.kind === 'Component' && d.spec.type === 'pubsub.kafka');
      const meta = Object.fromEntries(
        (pubsub.spec.metadata as { name: string; value?: string }[]).map((m) => [m.name, m.value]),
      );
      expect(meta.brokers).toBe('b-1.kafka.example:9093,b-2.kafka.example:9093');
      expect(meta.consumerGroup).toBe('staging.{appID}');
      const groups = docs
        .filter((d) => d.kind === 'ScaledObject')
        .flatMap((d) =>
          d.spec.triggers.map((t: { metadata: { consumerGroup?: string } }) => t.metadata.consumerGroup),
        )
        .filter(Boolean);
      expect(groups.length).toBeGreaterThan(0);
      for (const g of groups) expect(g).toMatch(/^staging\./);
      const external = docs.find((d) => d.kind === 'ExternalSecret');
      for (const d of external.spec.data) expect(d.remoteRef.key).toMatch(/^todo\/staging\//);
      expect(stdout).not.toContain('REPLACE-ME');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is called once per environment, staging then production, each with its own name', () => {
    const deploy = parse(readFileSync(join(workflowsDir, 'deploy.yml'), 'utf8'));
    expect(deploy.jobs.staging.with.environment).toBe('staging');
    expect(deploy.jobs.production.with.environment).toBe('production');
    expect(deploy.jobs.production.needs).toContain('staging');
  });
});
