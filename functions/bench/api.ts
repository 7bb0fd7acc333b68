import type { Database } from '@todo/core/db/types';
import { ListTasksQuery } from '@todo/core/schemas';
import { buildListTasksQuery } from '@todo/core/tasks/list-tasks';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import type { LocalStack } from '../local/stack.ts';
import { type BenchRow, interleaved, ms, percentile, ratio } from './stats.ts';

const BENCH_USER_TASKS = 100_000;
const TOTAL_TASKS = 1_000_000;
const WORDS = [
  'report',
  'invoice',
  'call',
  'email',
  'review',
  'plan',
  'fix',
  'buy',
  'book',
  'write',
  'draft',
  'send',
];

/**
 * 1M tasks: 100k for the benchmark user, the rest spread over 99 others, with tags for the benchmark
 * user. Generated in SQL (seconds, not minutes) and kept between runs.
 */
export async function seedBenchData(db: Kysely<Database>): Promise<string> {
  const existing = await db
    .selectFrom('users')
    .select('id')
    .where('email', '=', 'bench-0@bench.local')
    .executeTakeFirst();
  if (existing) return existing.id;
  console.log('seeding 1M tasks (once; kept in the bench database)...');
  await db.transaction().execute(async (trx) => seed(trx));
  await sql`vacuum analyze`.execute(db);
  return (
    await db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'bench-0@bench.local')
      .executeTakeFirstOrThrow()
  ).id;
}

/** One transaction, so an interrupted seed leaves nothing half-built behind. */
async function seed(db: Kysely<Database>): Promise<void> {
  await sql`insert into users (email, password_hash)
    select 'bench-' || g || '@bench.local', 'x' from generate_series(0, 99) g`.execute(db);
  const words = sql.raw(`(array[${WORDS.map((w) => `'${w}'`).join(',')}])`);
  await sql`insert into tags (user_id, name)
    select u.id, t from users u, unnest(array['work','home','urgent','errand','later']) t
    where u.email = 'bench-0@bench.local'`.execute(db);
  // Deterministic pseudo-random columns (setseed), independent of each other, so filters are realistic.
  await sql`select setseed(0.42)`.execute(db);
  await sql`insert into tasks (user_id, title, description, status, priority, due_at, tag_names, created_at)
    select u.id,
      initcap(${words}[1 + floor(random() * 12)::int]) || ' ' || ${words}[1 + floor(random() * 12)::int] || ' #' || g,
      case when random() < 0.2 then 'remember the ' || ${words}[1 + floor(random() * 12)::int] else '' end,
      (array['todo','in_progress','done'])[1 + floor(random() * 3)::int],
      (array['low','medium','high'])[1 + floor(random() * 3)::int],
      case when random() < 0.25 then null else now() + floor(random() * 400 - 100) * interval '1 day' end,
      (array['work','home','urgent','errand','later'])[1 + floor(random() * 5)::int],
      now() - g * interval '1 minute'
    from (select id, row_number() over (order by email) - 1 as n from users) u,
      generate_series(1, case when u.n = 0 then ${BENCH_USER_TASKS}::int
        else ${Math.floor((TOTAL_TASKS - BENCH_USER_TASKS) / 99)}::int end) g`.execute(db);
  await sql`insert into task_tags (task_id, tag_id)
    select t.id, g.id from tasks t join tags g on g.user_id = t.user_id and g.name = t.tag_names`.execute(db);
}

const SEARCH_QUERY =
  'search=report&status=todo,in_progress&priority=high&sort_by=due_date&order=asc&limit=50';
const BENCH_PROJECTS = 50;

/**
 * The benchmark user's tasks spread over 50 projects besides the Inbox (deterministically, by id), so a
 * project's listing reads ~2k of the user's 100k tasks. Done once and kept, like the seed above.
 */
export async function seedBenchProjects(db: Kysely<Database>, userId: string): Promise<string[]> {
  const projects = async () =>
    (
      await db
        .selectFrom('projects')
        .select('id')
        .where('user_id', '=', userId)
        .where('is_inbox', '=', false)
        .orderBy('position')
        .execute()
    ).map((p) => p.id);
  const existing = await projects();
  if (existing.length >= BENCH_PROJECTS) return existing;
  console.log(`spreading the bench user's tasks over ${BENCH_PROJECTS} projects (once)...`);
  await db.transaction().execute(async (trx) => {
    await sql`insert into projects (user_id, name, position)
      select ${userId}, 'Project ' || g, g from generate_series(1, ${BENCH_PROJECTS}::int) g`.execute(trx);
    // Every 51st task stays in the Inbox; the rest go to project 1..50 by a hash of their id.
    await sql`update tasks t set project_id = p.id
      from projects p
      where t.user_id = ${userId} and p.user_id = ${userId}
        and p.position = abs(hashtext(t.id::text)) % ${BENCH_PROJECTS + 1}::int and p.position > 0`.execute(
      trx,
    );
  });
  await sql`vacuum analyze tasks`.execute(db);
  return projects();
}

/**
 * One listing through the function (auth, validation, query, tags, JSON) against its main SQL issued
 * straight through bare pg, interleaved in the same run: p50 and p99 of each.
 */
async function benchListing(
  stack: LocalStack,
  databaseUrl: string,
  userId: string,
  token: string,
  query: string,
) {
  const q = ListTasksQuery.parse(Object.fromEntries(new URLSearchParams(query)));
  const built = await buildListTasksQuery(stack.db, userId, q);
  if (!built) throw new Error('bench query matched no tags');
  const compiled = built.query.compile();
  const raw = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  const request = () =>
    stack.app.fetch(
      new Request(`http://bench/api/v1/tasks?${query}`, {
        headers: { authorization: `Bearer ${token}` },
      }),
    );
  const check = await (await request()).json();
  if (!check.items?.length)
    throw new Error(`bench listing returned nothing: ${JSON.stringify(check).slice(0, 200)}`);
  const t = await interleaved(
    500,
    async () => (await request()).text(),
    () => raw.query(compiled.sql, compiled.parameters as unknown[]),
  );
  await raw.end();
  return {
    p50: percentile(t.a, 50),
    p99: percentile(t.a, 99),
    r50: percentile(t.b, 50),
    r99: percentile(t.b, 99),
  };
}

/** listTasks with search, filters and sort over the user's 100k tasks. */
export async function benchListTasks(stack: LocalStack, databaseUrl: string, userId: string, token: string) {
  const { p50, p99, r50, r99 } = await benchListing(stack, databaseUrl, userId, token, SEARCH_QUERY);
  const rows: BenchRow[] = [
    {
      metric: `listTasks p50 (search+filters+sort, ${BENCH_USER_TASKS / 1000}k tasks of 1M)`,
      ours: ms(p50),
      reference: `${ms(r50)} (raw SQL via pg)`,
      ratio: ratio(p50, r50),
      target: '—',
    },
    {
      metric: 'listTasks p99',
      ours: ms(p99),
      reference: `${ms(r99)} (raw SQL via pg)`,
      ratio: ratio(p99, r99),
      target: '≤ 1.5× and ≤ 15 ms',
    },
  ];
  return rows;
}

/** listTasks of one project (of the user's 50 plus the Inbox), sorted by due date, first page. */
export async function benchListProjectTasks(
  stack: LocalStack,
  databaseUrl: string,
  userId: string,
  token: string,
) {
  const projects = await seedBenchProjects(stack.db, userId);
  const project = projects[Math.floor(projects.length / 2)]!;
  const { p50, p99, r50, r99 } = await benchListing(
    stack,
    databaseUrl,
    userId,
    token,
    `project=${project}&sort_by=due_date&order=asc&limit=50`,
  );
  return [
    {
      metric: `listTasks ?project= p50 (1 of ${projects.length} projects, ${BENCH_USER_TASKS / 1000}k tasks)`,
      ours: ms(p50),
      reference: `${ms(r50)} (raw SQL via pg)`,
      ratio: ratio(p50, r50),
      target: '—',
    },
    {
      metric: 'listTasks ?project= p99',
      ours: ms(p99),
      reference: `${ms(r99)} (raw SQL via pg)`,
      ratio: ratio(p99, r99),
      target: '≤ 1.5×',
    },
  ] satisfies BenchRow[];
}

/** createTask (validation, tags, outbox row, one transaction) vs a bare INSERT through pg. */
export async function benchCreateTask(stack: LocalStack, databaseUrl: string, userId: string, token: string) {
  const raw = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  const body = JSON.stringify({
    title: 'Bench task',
    priority: 'high',
    tags: ['work'],
    due_at: '2031-01-01T09:00:00Z',
  });
  const t = await interleaved(
    300,
    async () =>
      (
        await stack.app.fetch(
          new Request('http://bench/api/v1/tasks', {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body,
          }),
        )
      ).text(),
    () =>
      raw.query('insert into tasks (user_id, title, priority, due_at) values ($1, $2, $3, $4)', [
        userId,
        'Bench task',
        'high',
        '2031-01-01T09:00:00Z',
      ]),
  );
  await raw.end();
  const [p99, r99] = [percentile(t.a, 99), percentile(t.b, 99)];
  return [
    {
      metric: 'createTask p99 (incl. tags + outbox row)',
      ours: ms(p99),
      reference: `${ms(r99)} (bare INSERT)`,
      ratio: ratio(p99, r99),
      target: '≤ 2×',
    },
  ] satisfies BenchRow[];
}
