// Which functions get a daprd sidecar, decided from the catalog (model.ts usesDapr), and which secrets,
// both checked against the code: a function without a sidecar must never call one, and a function holds
// exactly the secrets its runner and its own code read.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalog, type SecretName } from '../../functions/catalog.ts';
import { RUNNERS } from '../scripts/container-entry.mjs';
import { repoRoot } from './generate.ts';
import { deriveDeployment, requiredSecrets } from './model.ts';

const deployment = deriveDeployment(catalog);
const byName = (name: string) => deployment.functions.find((f) => f.name === name)!;

/** What reaching daprd looks like in our code: its port variable, the Dapr adapters, its HTTP API paths. */
const DAPR_CALL = /DAPR_HTTP_PORT|daprPublisher|daprJobs|\/v1\.0(-alpha1)?\//;

const sourcesOf = (dir: string) =>
  readdirSync(join(repoRoot, dir))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => join(dir, f));

describe('Dapr sidecars (model.ts usesDapr)', () => {
  it('go to the clock and to every function with subscriptions, and to nothing else', () => {
    const withDapr = deployment.functions.filter((f) => f.dapr).map((f) => f.name);
    const expected = catalog
      .filter((f) => f.kind === 'clock' || f.subscriptions.length > 0)
      .map((f) => f.name);
    expect(withDapr.sort()).toEqual(expected.sort());
    expect(withDapr).toContain('clock');
    for (const name of ['gateway', 'live', 'create-task', 'notifications'])
      expect(byName(name).dapr, `${name} runs no daprd`).toBe(false);
    expect(deployment.daprAppIds.sort()).toEqual(
      deployment.functions
        .filter((f) => f.dapr)
        .map((f) => f.appId)
        .sort(),
    );
  });

  it('a function without a sidecar never calls one: not in its own code, not in its container runner', () => {
    const without = deployment.functions.filter((f) => !f.dapr);
    expect(without.length).toBeGreaterThan(0);
    for (const fn of without) {
      for (const file of sourcesOf(`functions/${fn.name}`))
        expect(readFileSync(join(repoRoot, file), 'utf8'), file).not.toMatch(DAPR_CALL);
      const runner: { from: string; fn: string } = RUNNERS[fn.kind as keyof typeof RUNNERS];
      // The HTTP runner, or an entry of its own (the gateway): never the event or the clock runner.
      expect(['runGateway', 'runFunction'], `${fn.name} starts with the HTTP runner`).toContain(runner.fn);
      const runnerFile = join('functions', runner.from);
      expect(readFileSync(join(repoRoot, runnerFile), 'utf8'), runnerFile).not.toMatch(DAPR_CALL);
    }
  });

  it('the clock is the one function that publishes and schedules through its own daprd', () => {
    const entry = readFileSync(join(repoRoot, 'functions', RUNNERS.clock.from), 'utf8');
    expect(RUNNERS.clock.fn).toBe('runClockFunction');
    expect(entry).toMatch(/daprPublisher/);
    expect(entry).toMatch(/daprJobs/);
    expect(byName('clock').dapr).toBe(true);
  });
});

/** What reading a secret looks like in a function's own code (its folder), beyond what its runner reads. */
const READS: Partial<Record<SecretName, RegExp>> = {
  // The Resend sender (notify/email.ts), directly or through the account mailer.
  RESEND_API_KEY: /RESEND_API_KEY|createEmailSender|createAccountMailer/,
  // The model client (core assistant/llm-chat.ts).
  OPENAI_API_KEY: /OPENAI_API_KEY|assistant\/llm-chat/,
};

describe('secrets (catalog `secrets`, model.ts requiredSecrets)', () => {
  it('every function lists what its runner needs and what its code reads, and nothing else', () => {
    for (const fn of catalog) {
      const code = sourcesOf(`functions/${fn.name}`)
        .map((f) => readFileSync(join(repoRoot, f), 'utf8'))
        .join('\n');
      const expected = new Set<SecretName>(requiredSecrets(fn));
      for (const [name, re] of Object.entries(READS)) if (re.test(code)) expected.add(name as SecretName);
      expect([...fn.secrets].sort(), fn.name).toEqual([...expected].sort());
    }
    expect(byName('list-tasks').secrets).not.toContain('RESEND_API_KEY');
    expect(byName('notify').secrets).toContain('RESEND_API_KEY');
  });

  it('the gateway reads none: its own entry never opens the database or checks a token', () => {
    expect(byName('gateway').secrets).toEqual([]);
    const entry = readFileSync(join(repoRoot, 'functions/gateway/main.ts'), 'utf8');
    expect(entry).not.toMatch(/DATABASE_URL|JWT_SECRET|connectDatabase|jwtSecret|APP_API_TOKEN/);
  });

  it('derive refuses an entry without a secret its container cannot start without', () => {
    const notify = catalog.find((f) => f.name === 'notify')!;
    expect(() => deriveDeployment([{ ...notify, secrets: ['DATABASE_URL', 'JWT_SECRET'] }])).toThrow(
      /notify: its container cannot start without APP_API_TOKEN/,
    );
    const tags = catalog.find((f) => f.name === 'tags')!;
    expect(() => deriveDeployment([{ ...tags, secrets: [...tags.secrets, 'APP_API_TOKEN'] }])).toThrow(
      /APP_API_TOKEN is for the functions with a daprd/,
    );
  });
});
