// The API smoke test: sign up, create a task, find it in the list, complete it. Run by `helm test`
// (inside the cluster, API=http://gateway:8080) and by the deploy workflow against staging
// (API=https://<host>). Plain Node 20, no dependencies. The first calls may wake functions from zero,
// so a 5xx or a refused connection is retried for up to a minute.
const api = process.env.API;
if (!api) {
  console.error('api-smoke: set API to the base URL (e.g. http://gateway:8080)');
  process.exit(2);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function call(method, path, { body, token, expect }) {
  let last = '';
  for (let attempt = 0; attempt < 30; attempt++) {
    try {
      const res = await fetch(api + path, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      if (res.status === expect) return text ? JSON.parse(text) : undefined;
      last = `${res.status} ${text.slice(0, 500)}`;
      if (res.status < 500) break;
    } catch (e) {
      last = String(e);
    }
    await sleep(2000);
  }
  throw new Error(`${method} ${path}: expected ${expect}, got ${last}`);
}

try {
  await call('GET', '/healthz', { expect: 200 });
  const email = `smoke-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const session = await call('POST', '/api/v1/auth/signup', {
    body: { email, password: 'smoke-test-password-1' },
    expect: 201,
  });
  const token = session.token;
  const task = await call('POST', '/api/v1/tasks', {
    body: { title: 'smoke test task' },
    token,
    expect: 201,
  });
  const page = await call('GET', '/api/v1/tasks', { token, expect: 200 });
  if (!page.items.some((t) => t.id === task.id)) throw new Error(`created task ${task.id} is not listed`);
  await call('POST', `/api/v1/tasks/${task.id}/complete`, { token, expect: 200 });
  // Another user must not see it.
  const other = await call('POST', '/api/v1/auth/signup', {
    body: { email: `other-${email}`, password: 'smoke-test-password-1' },
    expect: 201,
  });
  await call('GET', `/api/v1/tasks/${task.id}`, { token: other.token, expect: 404 });
  console.log(`api-smoke ok: ${api} (signed up, created, listed, completed ${task.id}; isolated)`);
} catch (e) {
  console.error(`api-smoke FAILED against ${api}: ${e.message}`);
  process.exit(1);
}
