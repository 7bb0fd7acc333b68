import type { Compilable, CompiledQuery, Kysely } from 'kysely';
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
  const argAt = query.parameters.map((p) => {
    const i = standIns.indexOf(p as string);
    return i < 0 ? undefined : i;
  });
  for (let i = 0; i < arity; i++)
    if (!argAt.includes(i))
      throw new Error(`compiledOnce: argument ${i} is not a bound parameter of:\n${query.sql}`);
  return { query, argAt };
}
