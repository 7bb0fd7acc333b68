import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type pg from 'pg';
import type { Database } from './types.ts';

/** Stands in for the i-th argument while the query is built, and is looked for among its parameters. */
const standIn = (i: number) => `\u0000compiled-once:${i}`;

/**
 * A query whose SQL text is the same on every call, built and compiled by kysely once instead of on
 * every call: on the hottest paths (the session check of every authenticated request, the caller's
 * memberships of every listing) kysely's builder and compiler cost more than the pg client does.
 *
 * `build` is called once, with stand-ins for its arguments; each stand-in must end up a bound parameter
 * (a value compared or inserted, or `${arg}` in a sql template — not sql.raw or a reference), and a
 * call swaps the real values in for them. Every other parameter of the built query stays as built.
 * The query is compiled with the first caller's Kysely: all of ours speak the one Postgres dialect.
 *
 * Its SQL text is also registered as a prepared statement (see preparesOnceCompiled): a pool's clients
 * then parse and plan it once per connection, not on every call. So it must name its result columns
 * (no `*`): a statement prepared before a migration adds a column would fail in an old pod with "cached
 * plan must not change result type" during a rolling deploy.
 */
export function compiledOnce<Args extends unknown[], Row>(
  build: (db: Kysely<Database>, ...args: Args) => Compilable<Row>,
): (db: Kysely<Database>, ...args: Args) => Promise<Row[]> {
  let compiled: { query: CompiledQuery<Row>; argAt: (number | undefined)[] } | undefined;
  return async (db, ...args) => {
    compiled ??= compile(db, build, args.length);
    const { query, argAt } = compiled;
    const parameters = query.parameters.map((fixed, p) => {
      const arg = argAt[p];
      return arg === undefined ? fixed : args[arg];
    });
    return (await db.executeQuery<Row>({ ...query, parameters })).rows;
  };
}

function compile<Args extends unknown[], Row>(
  db: Kysely<Database>,
  build: (db: Kysely<Database>, ...args: Args) => Compilable<Row>,
  arity: number,
) {
  const standIns = Array.from({ length: arity }, (_, i) => standIn(i));
  const query = build(db, ...(standIns as Args)).compile();
  if (SELECTS_STAR.test(query.sql))
    throw new Error(`compiledOnce: name the result's columns (no *), it is prepared:\n${query.sql}`);
  if (!statementNames.has(query.sql)) statementNames.set(query.sql, `compiled_once_${statementNames.size}`);
  const argAt = query.parameters.map((p) => {
    const i = standIns.indexOf(p as string);
    return i < 0 ? undefined : i;
  });
  for (let i = 0; i < arity; i++)
    if (!argAt.includes(i))
      throw new Error(`compiledOnce: argument ${i} is not a bound parameter of:\n${query.sql}`);
  return { query, argAt };
}

/** `*` as a select list's or a returning clause's item (`t.*`, `"t".*`), not `count(*)`. */
const SELECTS_STAR = /(select|returning|,)\s*(("?\w+"?)\.)?\*/i;

/** The SQL text of every compiledOnce query, and the name it is prepared under on each connection. */
const statementNames = new Map<string, string>();

/**
 * Makes `client` (a pool's, on connect) run every compiledOnce query as a named prepared statement: pg
 * parses it on the connection's first call and binds it on every later one, so Postgres parses and plans
 * it once per connection (the session check is on every authenticated request). Other SQL goes as before.
 */
export function preparesOnceCompiled(client: pg.ClientBase): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((text: unknown, values?: unknown, callback?: unknown) => {
    const name = typeof text === 'string' && callback === undefined ? statementNames.get(text) : undefined;
    return name ? query({ name, text, values }) : query(text, values, callback);
  }) as never;
}
