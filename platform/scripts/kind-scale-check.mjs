#!/usr/bin/env node
// Scale-to-zero on a real cluster, after `npm run platform -- up` (the kind job in .github/workflows/ci.yml):
//   (b) HTTP: with list-tasks at 0 replicas, GET /api/v1/tasks through the gateway is held by the KEDA HTTP
//       add-on's interceptor while list-tasks starts, answers 200, and list-tasks then has a ready replica;
//       after its scaledownPeriod it is back at 0.
//   (a) Kafka lag: with audit at 0 replicas, creating tasks puts events on Kafka; KEDA sees the lag of the
//       audit consumer group and scales audit to ≥ 1 ready replica, which drains it; after the cooldown
//       audit is back at 0.
// The periods are shortened for CI by patching the live objects (the ScaledObject's pollingInterval and
// cooldownPeriod, the HTTPScaledObject's scaledownPeriod), so the chart and platform/k8s stay as shipped.
// Everything is read with kubectl (Deployment replicas, pods, ScaledObject conditions and events); the API
// is reached through `kubectl port-forward svc/gateway`. On failure it prints diagnostics.
//   node platform/scripts/kind-scale-check.mjs [--namespace todo-app] [--event-function audit]
//        [--http-function list-tasks] [--cooldown 30] [--polling 5] [--tasks 5]
//   node platform/scripts/kind-scale-check.mjs diagnostics      (only the diagnostics)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    namespace: { type: 'string', default: 'todo-app' },
    'event-function': { type: 'string', default: 'audit' },
    'http-function': { type: 'string', default: 'list-tasks' },
    cooldown: { type: 'string', default: '30' },
    polling: { type: 'string', default: '5' },
    tasks: { type: 'string', default: '5' },
  },
});
const ns = opts.namespace;
const eventFn = opts['event-function'];
const httpFn = opts['http-function'];
const cooldownS = Number(opts.cooldown);
const pollingS = Number(opts.polling);
const taskCount = Number(opts.tasks);
for (const [name, v] of [
  ['--cooldown', cooldownS],
  ['--polling', pollingS],
  ['--tasks', taskCount],
]) {
  if (!Number.isInteger(v) || v <= 0) {
    console.error(`kind-scale-check: ${name} must be a positive integer`);
    process.exit(2);
  }
}
const SECOND = 1000;
const MINUTE = 60 * SECOND;

const started = Date.now();
const log = (line) =>
  console.log(`[${String(Math.round((Date.now() - started) / SECOND)).padStart(4)}s] ${line}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class CheckFailed extends Error {}

// ---- kubectl -------------------------------------------------------------------------------------------

function kubectl(...args) {
  try {
    return execFileSync('kubectl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new CheckFailed(`kubectl ${args.join(' ')} failed: ${(e.stderr || e.message).trim()}`);
  }
}
const patchSpec = (kind, name, spec) =>
  kubectl('-n', ns, 'patch', kind, name, '--type=merge', '-p', JSON.stringify({ spec }));
const getJson = (...args) => JSON.parse(kubectl('-n', ns, 'get', ...args, '-o', 'json'));

/** Replicas the Deployment asks for, how many are ready, and how many pods exist (terminating too). */
function scaleOf(fn) {
  const d = getJson('deployment', fn);
  const pods = getJson('pods', '-l', `app.kubernetes.io/name=${fn}`).items;
  return { desired: d.spec.replicas ?? 0, ready: d.status.readyReplicas ?? 0, pods: pods.length };
}
const showScale = (s) => `desired ${s.desired}, ready ${s.ready}, pods ${s.pods}`;
const atZero = (s) => s.desired === 0 && s.pods === 0;

/** The ScaledObject's conditions by type: { Ready: {status, reason, message}, Active: …, … }. */
function conditionsOf(name) {
  const so = getJson('scaledobject', name);
  return Object.fromEntries((so.status?.conditions ?? []).map((c) => [c.type, c]));
}
const showConditions = (c) =>
  ['Ready', 'Active', 'Fallback']
    .filter((t) => c[t])
    .map((t) => `${t}=${c[t].status}${c[t].reason ? ` (${c[t].reason})` : ''}`)
    .join(', ');

/** Reasons of the events about object `name` of `kind` since `since` (ms). */
function eventReasonsSince(kind, name, since) {
  const events = getJson(
    'events',
    '--field-selector',
    `involvedObject.kind=${kind},involvedObject.name=${name}`,
  );
  return events.items
    .filter((e) => {
      const at = Date.parse(e.lastTimestamp || e.eventTime || e.metadata.creationTimestamp);
      return at >= since - 2 * SECOND; // event times have 1 s resolution
    })
    .map((e) => e.reason);
}

/** Polls `probe` until `done(value)`, logging each new state; fails after timeoutMs with the last state. */
async function waitFor(what, probe, done, show, timeoutMs, intervalMs = SECOND) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    let value;
    let state;
    try {
      value = probe();
      state = show(value);
    } catch (e) {
      state = `unreadable: ${e.message.split('\n')[0]}`;
    }
    if (state !== last) log(`  ${what}: ${state}`);
    last = state;
    if (value !== undefined && done(value)) return value;
    if (Date.now() > deadline)
      throw new CheckFailed(`${what}: not reached after ${Math.round(timeoutMs / SECOND)}s (last: ${last})`);
    await sleep(intervalMs);
  }
}

// ---- the API through `kubectl port-forward svc/gateway` ------------------------------------------------

function portForwardGateway() {
  const child = spawn('kubectl', ['-n', ns, 'port-forward', 'svc/gateway', ':8080'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => {
    err += d.toString();
  });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new CheckFailed(`port-forward svc/gateway did not start: ${err}`)),
      30 * SECOND,
    );
    child.stdout.on('data', (d) => {
      const m = /127\.0\.0\.1:(\d+)/.exec(d.toString());
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    });
    child.once('exit', (code) =>
      reject(new CheckFailed(`port-forward svc/gateway exited (${code}): ${err}`)),
    );
  });
  return { ready, close: () => child.kill() };
}

async function request(base, method, path, { token, body } = {}) {
  const res = await fetch(base + path, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
    // Longer than the interceptor's conditionWait (30 s): a cold start must be answered, not cut off here.
    signal: AbortSignal.timeout(90 * SECOND),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

/** Setup calls (sign-up, create): retried on a 5xx or a network error for up to two minutes. */
async function call(base, method, path, expect, options) {
  let last = '';
  for (let attempt = 1; attempt <= 40; attempt++) {
    try {
      const res = await request(base, method, path, options);
      if (res.status === expect) {
        if (attempt > 1) log(`  ${method} ${path}: ${expect} after ${attempt} attempts`);
        return res.json;
      }
      last = `${res.status} ${res.text.slice(0, 300)}`;
      if (res.status < 500) break;
    } catch (e) {
      last = String(e.cause ?? e);
    }
    await sleep(3 * SECOND);
  }
  throw new CheckFailed(`${method} ${path}: expected ${expect}, got ${last}`);
}

// ---- diagnostics ---------------------------------------------------------------------------------------

/** [namespace, name] of every pod that is neither ready nor finished, in any namespace. */
function podsNotReady() {
  try {
    const pods = JSON.parse(kubectl('get', 'pods', '-A', '-o', 'json')).items;
    return pods
      .filter((p) => p.status.phase !== 'Succeeded')
      .filter((p) => !(p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'))
      .map((p) => [p.metadata.namespace, p.metadata.name]);
  } catch (e) {
    console.log(`(could not list pods: ${e.message})`);
    return [];
  }
}

function diagnostics() {
  const show = (title, cmd, args) => {
    console.log(`\n===== ${title}: ${cmd} ${args.join(' ')}`);
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], timeout: 60 * SECOND });
    if (r.error) console.log(`(could not run: ${r.error.message})`);
  };
  const k = (title, ...args) => show(title, 'kubectl', args);
  k('nodes', 'get', 'nodes', '-o', 'wide');
  k('every pod', 'get', 'pods', '-A', '-o', 'wide');
  k('the app', '-n', ns, 'get', 'deploy,statefulset,job,hpa,scaledobject,httpscaledobject,svc');
  for (const [podNs, pod] of podsNotReady())
    k(`pod not ready: ${podNs}/${pod}`, '-n', podNs, 'describe', 'pod', pod);
  for (const fn of [eventFn, httpFn]) {
    k(`${fn} ScaledObject`, '-n', ns, 'describe', 'scaledobject', fn);
    k(`${fn} Deployment`, '-n', ns, 'describe', 'deployment', fn);
    k(`${fn} logs`, '-n', ns, 'logs', `deploy/${fn}`, '--all-containers', '--tail=100', '--prefix');
  }
  k(`${httpFn} HTTPScaledObject`, '-n', ns, 'describe', 'httpscaledobject', httpFn);
  for (const fn of ['gateway', 'clock'])
    k(`${fn} logs`, '-n', ns, 'logs', `deploy/${fn}`, '--all-containers', '--tail=80', '--prefix');
  k(`events in ${ns}`, '-n', ns, 'get', 'events', '--sort-by=.lastTimestamp');
  k('KEDA operator logs', '-n', 'keda', 'logs', 'deploy/keda-operator', '--tail=200');
  k('KEDA metrics server logs', '-n', 'keda', 'logs', 'deploy/keda-operator-metrics-apiserver', '--tail=50');
  for (const d of [
    'keda-add-ons-http-interceptor',
    'keda-add-ons-http-external-scaler',
    'keda-add-ons-http-controller-manager',
  ])
    k(`${d} logs`, '-n', 'keda', 'logs', `deploy/${d}`, '--all-containers', '--tail=100');
  k('events in keda', '-n', 'keda', 'get', 'events', '--sort-by=.lastTimestamp');
  k('Dapr control plane', '-n', 'dapr-system', 'get', 'pods', '-o', 'wide');
}

// ---- the checks ----------------------------------------------------------------------------------------

async function checks() {
  log(
    `Shorter periods for CI: ${eventFn} polls Kafka every ${pollingS}s, cooldown ${cooldownS}s; ${httpFn} scaledownPeriod ${cooldownS}s`,
  );
  patchSpec('scaledobject', eventFn, { pollingInterval: pollingS, cooldownPeriod: cooldownS });
  patchSpec('httpscaledobject', httpFn, { scaledownPeriod: cooldownS });
  // The add-on's controller owns the ScaledObject behind the HTTPScaledObject and copies the period over.
  await waitFor(
    `ScaledObject ${httpFn} cooldownPeriod`,
    () => getJson('scaledobject', httpFn).spec.cooldownPeriod,
    (v) => v === cooldownS,
    (v) => `${v}`,
    MINUTE,
  );
  for (const name of [eventFn, httpFn])
    await waitFor(
      `ScaledObject ${name}`,
      () => conditionsOf(name),
      (c) => c.Ready?.status === 'True',
      showConditions,
      2 * MINUTE,
    );
  for (const fn of [httpFn, eventFn])
    await waitFor(
      `${fn} at zero before the checks`,
      () => scaleOf(fn),
      atZero,
      showScale,
      cooldownS * SECOND + 3 * MINUTE,
    );

  const pf = portForwardGateway();
  try {
    const base = await pf.ready;
    log(`kubectl port-forward svc/gateway: ${base}`);
    await call(base, 'GET', '/healthz', 200);
    const email = `kind-${Date.now()}@example.com`;
    const { token } = await call(base, 'POST', '/api/v1/auth/signup', 201, {
      body: { email, password: 'kind-scale-check-1', time_zone: 'Europe/London' },
    });
    log(`signed up ${email}`);

    // (b) HTTP scale from zero through the interceptor: exactly one request, no retry.
    const before = scaleOf(httpFn);
    if (!atZero(before))
      throw new CheckFailed(`${httpFn} is not at zero before the request (${showScale(before)})`);
    log(`(b) ${httpFn} at zero (${showScale(before)}); GET /api/v1/tasks through the gateway`);
    const t0 = Date.now();
    const res = await request(base, 'GET', '/api/v1/tasks', { token });
    const took = Date.now() - t0;
    if (res.status !== 200)
      throw new CheckFailed(
        `(b) GET /api/v1/tasks from zero: expected 200, got ${res.status} after ${took}ms: ${res.text.slice(0, 500)}`,
      );
    log(`(b) 200 in ${took}ms (held by the interceptor during the cold start)`);
    await waitFor(
      `(b) ${httpFn} after the request`,
      () => scaleOf(httpFn),
      (s) => s.ready >= 1,
      showScale,
      20 * SECOND,
    );
    log(`(b) ok: ${httpFn} went from 0 to a ready replica on one request`);

    // (a) Kafka lag wakes the event function. Sign-up may itself have produced events: start from zero again.
    await waitFor(
      `(a) ${eventFn} at zero before creating tasks`,
      () => scaleOf(eventFn),
      atZero,
      showScale,
      cooldownS * SECOND + 3 * MINUTE,
    );
    const t1 = Date.now();
    for (let i = 1; i <= taskCount; i++)
      await call(base, 'POST', '/api/v1/tasks', 201, {
        token,
        body: { title: `kind scale check ${i}`, priority: 'high' },
      });
    log(`(a) created ${taskCount} tasks; waiting for KEDA to see ${eventFn}'s lag and start it`);
    let sawActive = false;
    await waitFor(
      `(a) ${eventFn}`,
      () => {
        const s = scaleOf(eventFn);
        const c = conditionsOf(eventFn);
        if (c.Active?.status === 'True') sawActive = true;
        return { ...s, c };
      },
      (s) => s.desired >= 1 && s.ready >= 1,
      (s) => `${showScale(s)}; ${showConditions(s.c)}`,
      4 * MINUTE,
    );
    const activated = eventReasonsSince('ScaledObject', eventFn, t1).includes('KEDAScaleTargetActivated');
    if (!sawActive && !activated)
      throw new CheckFailed(
        `(a) ${eventFn} scaled up, but its ScaledObject was never seen Active and has no KEDAScaleTargetActivated event`,
      );
    log(
      `(a) ${eventFn} is up (ScaledObject Active seen: ${sawActive}, KEDAScaleTargetActivated event: ${activated})`,
    );

    const t2 = Date.now();
    await waitFor(
      `(a) ${eventFn} back to zero after the cooldown`,
      () => ({ ...scaleOf(eventFn), c: conditionsOf(eventFn) }),
      (s) => atZero(s) && s.c.Active?.status === 'False',
      (s) => `${showScale(s)}; ${showConditions(s.c)}`,
      cooldownS * SECOND + 4 * MINUTE,
      2 * SECOND,
    );
    log(
      `(a) ok: ${eventFn} went 0 → ≥1 ready → 0 (${Math.round((Date.now() - t2) / SECOND)}s after it was up)`,
    );

    await waitFor(
      `(b) ${httpFn} back to zero after its scaledownPeriod`,
      () => scaleOf(httpFn),
      atZero,
      showScale,
      cooldownS * SECOND + 3 * MINUTE,
      2 * SECOND,
    );
    log(`(b) ok: ${httpFn} back at zero`);
  } finally {
    pf.close();
  }
  log('All scale-to-zero checks passed.');
}

if (positionals[0] === 'diagnostics') {
  diagnostics();
} else if (positionals.length > 0) {
  console.error(`kind-scale-check: unknown command ${positionals[0]} (only "diagnostics")`);
  process.exitCode = 2;
} else {
  try {
    await checks();
  } catch (e) {
    const reason = e instanceof CheckFailed ? e.message : e.stack;
    console.log(`\nkind-scale-check FAILED: ${reason}\nDiagnostics follow.`);
    diagnostics();
    console.error(`\nkind-scale-check FAILED: ${reason}`);
    process.exitCode = 1;
  }
}
