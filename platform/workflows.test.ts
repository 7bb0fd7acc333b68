// The GitHub Actions workflows pass actionlint (pinned, from platform/engines), pin every action by its
// full commit SHA, and carry no secret.
import { readdirSync, readFileSync } from 'node:fs';
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
