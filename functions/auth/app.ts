import {
  Credentials,
  conflict,
  createFunctionApp,
  type FunctionDeps,
  hashPassword,
  issueToken,
  Login,
  notFound,
  readBody,
  unauthorized,
  verifyPassword,
} from '@todo/core';
import { sql } from 'kysely';

const PUBLIC = ['/api/v1/auth/signup', '/api/v1/auth/login'];

/** auth: sign up and log in (scrypt-hashed passwords, HS256 access tokens), and who am I. */
export function authApp(deps: FunctionDeps) {
  const app = createFunctionApp('auth', deps, { publicPaths: PUBLIC });
  const session = async (user: { id: string; email: string; time_zone: string }) => ({
    token: await issueToken(user.id, deps.jwtSecret, deps.config.JWT_TTL_SECONDS),
    user,
  });

  app.post('/api/v1/auth/signup', async function signUpRoute(c) {
    const input = await readBody(c, Credentials);
    const password_hash = await hashPassword(input.password);
    const user = await deps.db
      .insertInto('users')
      .values({ email: input.email.toLowerCase(), password_hash, time_zone: input.time_zone ?? 'UTC' })
      .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
      .returning(['id', 'email', 'time_zone'])
      .executeTakeFirst();
    if (!user) throw conflict('An account with this email already exists; log in instead');
    return c.json(await session(user), 201);
  });

  app.post('/api/v1/auth/login', async function logInRoute(c) {
    const input = await readBody(c, Login);
    const user = await deps.db
      .selectFrom('users')
      .select(['id', 'email', 'time_zone', 'password_hash'])
      .where(sql<string>`lower(email)`, '=', input.email.toLowerCase())
      .executeTakeFirst();
    // The same answer for an unknown email and a wrong password, so log-in does not reveal accounts.
    if (!user || !(await verifyPassword(input.password, user.password_hash))) {
      throw unauthorized('Wrong email or password');
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
