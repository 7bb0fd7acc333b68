import { randomBytes } from 'node:crypto';
import { dropDatabase, ensureDatabase } from '@todo/core/db/admin';
import { loadConfig } from '@todo/core/runtime/config';
import { createLogger } from '@todo/core/runtime/log';
import { afterAll, beforeAll, inject } from 'vitest';
import { createLocalStack, type LocalStack } from '../local/stack.ts';
import { eventually } from './database.ts';

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123';
/** The app API token test deps carry; send `APP_TOKEN_HEADERS` on internal routes (events, jobs). */
export const TEST_APP_TOKEN = 'test-app-token-test-app-token-0123';
export const APP_TOKEN_HEADERS = { 'dapr-api-token': TEST_APP_TOKEN } as const;

export interface TestUser {
  id: string;
  email: string;
  token: string;
}

export interface TestApi {
  stack: LocalStack;
  /** Calls the gateway in-process, as a browser would over HTTP. */
  call(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; rawBody?: string },
  ): Promise<Response>;
  json<T = any>(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown },
  ): Promise<{ status: number; body: T }>;
  signUp(email?: string): Promise<TestUser>;
  /**
   * Waits until every outbox event so far has been delivered (the local bus runs the event functions,
   * so e.g. a completed occurrence's successor exists afterwards). The transport's settle() can return
   * while the background relay is still handing an event over, so also wait for no row to be unsent.
   */
  settle(): Promise<void>;
  databaseUrl: string;
}

/**
 * A fresh, migrated database and the whole API mounted in-process, for one test file. With
 * `background: false` nothing relays or delivers events until the test calls settle(): an event can be
 * held in the outbox on purpose.
 */
export function useTestApi(options: { background?: boolean } = {}): TestApi {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const api = {} as TestApi;
  beforeAll(async () => {
    const admin = inject('adminDatabaseUrl');
    api.databaseUrl = await ensureDatabase(admin, name);
    api.stack = await createLocalStack({
      databaseUrl: api.databaseUrl,
      jwtSecret: TEST_JWT_SECRET,
      // Cheap password hashes: the tests sign up hundreds of users (production: 17, OWASP's minimum).
      config: loadConfig({ DATABASE_URL: api.databaseUrl, LOG_LEVEL: 'silent', PASSWORD_SCRYPT_LOG_N: '12' }),
      log: createLogger('error'),
      background: options.background,
    });
  });
  afterAll(async () => {
    await api.stack?.close();
    await dropDatabase(inject('adminDatabaseUrl'), name);
  });
  api.call = async (method, path, opts = {}) =>
    api.stack.app.fetch(
      new Request(`http://test.local${path}`, {
        method,
        headers: {
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(opts.body !== undefined || opts.rawBody !== undefined
            ? { 'content-type': 'application/json' }
            : {}),
        },
        body: opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
      }),
    );
  api.json = async (method, path, opts) => {
    const res = await api.call(method, path, opts);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  api.settle = async () => {
    await api.stack.transport.settle();
    await eventually('every outbox event delivered', async () => {
      const unsent = await api.stack.db
        .selectFrom('outbox')
        .select('id')
        .where('sent_at', 'is', null)
        .execute();
      return unsent.length === 0;
    });
  };
  api.signUp = async (email = `u${randomBytes(5).toString('hex')}@example.com`) => {
    const res = await api.json('POST', '/api/v1/auth/signup', {
      body: { email, password: 'correct horse battery' },
    });
    if (res.status !== 201) throw new Error(`sign-up failed: ${JSON.stringify(res.body)}`);
    return { id: res.body.user.id, email, token: res.body.token };
  };
  return api;
}
