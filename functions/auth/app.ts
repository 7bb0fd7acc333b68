import {
  Credentials,
  conflict,
  createFunctionApp,
  type FunctionDeps,
  hashPassword,
  issueToken,
  Login,
  needsRehash,
  notFound,
  readBody,
  unauthorized,
  verifyAgainstDummy,
  verifyPassword,
} from '@todo/core';
import { sql } from 'kysely';
import { clientIp, enforceLimits, LIMITS } from '../core/src/rate-limit.ts';

const PUBLIC = ['/api/v1/auth/signup', '/api/v1/auth/login'];

/**
 * auth: sign up and log in (scrypt-hashed passwords, HS256 access tokens), and who am I. Sign-up and
 * log-in are rate-limited per client IP and per account (Postgres-backed, so across replicas) before
 * any scrypt runs: each costs ~200 ms of CPU and 128 MiB.
 */
export function authApp(deps: FunctionDeps) {
  const app = createFunctionApp('auth', deps, { publicPaths: PUBLIC });
  const logN = deps.config.PASSWORD_SCRYPT_LOG_N;
  const session = async (user: { id: string; email: string; time_zone: string }) => ({
    token: await issueToken(user.id, deps.jwtSecret, deps.config.JWT_TTL_SECONDS),
    user,
  });

  app.post('/api/v1/auth/signup', async function signUpRoute(c) {
    const input = await readBody(c, Credentials);
    const email = input.email.toLowerCase();
    await enforceLimits(
      deps.db,
      [
        { rule: LIMITS.signupPerIp, key: clientIp(c) },
        { rule: LIMITS.signupPerAccount, key: email },
      ],
      'sign-ups',
    );
    // Hashed before looking for the email, so a taken one answers no sooner than a new one.
    const password_hash = await hashPassword(input.password, logN);
    const user = await deps.db
      .insertInto('users')
      .values({ email, password_hash, time_zone: input.time_zone ?? 'UTC' })
      .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
      .returning(['id', 'email', 'time_zone'])
      .executeTakeFirst();
    // Sign-up answers with a session, so it cannot hide that an email is taken (without a confirmation
    // mail, which this product does not send yet); the per-IP limit above bounds how fast anyone can ask.
    if (!user) throw conflict('An account with this email already exists; log in instead');
    return c.json(await session(user), 201);
  });

  app.post('/api/v1/auth/login', async function logInRoute(c) {
    const input = await readBody(c, Login);
    const email = input.email.toLowerCase();
    await enforceLimits(
      deps.db,
      [
        { rule: LIMITS.loginPerIp, key: clientIp(c) },
        { rule: LIMITS.loginPerAccount, key: email },
      ],
      'log-in attempts',
    );
    const user = await deps.db
      .selectFrom('users')
      .select(['id', 'email', 'time_zone', 'password_hash'])
      .where(sql<string>`lower(email)`, '=', email)
      .executeTakeFirst();
    // The same answer, after the same work, for an unknown email and a wrong password.
    const ok = user
      ? await verifyPassword(input.password, user.password_hash)
      : await verifyAgainstDummy(input.password, logN);
    if (!user || !ok) throw unauthorized('Wrong email or password');
    if (needsRehash(user.password_hash, logN)) {
      // An older, cheaper hash: store it again at the current cost, now that we have the password.
      const password_hash = await hashPassword(input.password, logN);
      await deps.db
        .updateTable('users')
        .set({ password_hash })
        .where('id', '=', user.id)
        .where('password_hash', '=', user.password_hash)
        .execute();
    }
    return c.json(await session({ id: user.id, email: user.email, time_zone: user.time_zone }));
  });

  app.get('/api/v1/auth/me', async function whoAmIRoute(c) {
    const user = await deps.db
      .selectFrom('users')
      .select(['id', 'email', 'time_zone'])
      .where('id', '=', c.var.user.id)
      .executeTakeFirst();
    if (!user) throw notFound('User');
    return c.json(user);
  });
  return app;
}

export default authApp;
