// `todo-platform dlq outbox`: the events the outbox relay gave up on. After OUTBOX_MAX_ATTEMPTS failed
// publishes (while the broker took other events) the relay moves a row from `outbox` to `dead_letters`
// (source 'outbox') so its task's later events can go. `dlq outbox` lists them; `dlq outbox replay`
// puts them back in the outbox once the cause is fixed, and the relay publishes them like any new event.
// A replayed event goes out after its task's later events did: consumers are idempotent and check the
// task's current state, as they do for any redelivery.

import { parseArgs } from 'node:util';
import { connectDatabase } from '@todo/core/db/connect';
import type { Database } from '@todo/core/db/types';
import { CloudEvent } from '@todo/core/events';
import { OUTBOX_CHANNEL } from '@todo/core/runtime/outbox';
import { type Kysely, sql } from 'kysely';
import { PlatformError } from './kube.ts';
import { renderTable } from './status.ts';

export const OUTBOX_DLQ_USAGE = `Usage: npm run platform -- dlq outbox [list] | dlq outbox replay <id>… | dlq outbox replay --all

  list     the outbox's dead letters (table dead_letters, source 'outbox'), oldest first: the events the
           relay could not publish after OUTBOX_MAX_ATTEMPTS tries
  replay   move the given dead letters (or --all) back into the outbox, each move one transaction (the
           insert and the delete commit together); the relay publishes them at once

Options:
  --database-url <url>   the app's Postgres (default: $DATABASE_URL). On Minikube, e.g.
                         kubectl -n todo-app port-forward svc/postgres 5432 and
                         postgres://todo:todo@127.0.0.1:5432/todo
  --limit <n>            list: at most this many (default 100)`;

export interface OutboxDeadLetter {
  id: string;
  event_id: string;
  topic: string;
  partition_key: string | null;
  attempts: number | null;
  reason: string;
  created_at: Date;
  dead_at: Date;
}

export async function listOutboxDeadLetters(db: Kysely<Database>, limit = 100): Promise<OutboxDeadLetter[]> {
  return db
    .selectFrom('dead_letters')
    .select(['id', 'event_id', 'topic', 'partition_key', 'attempts', 'reason', 'created_at', 'dead_at'])
    .where('source', '=', 'outbox')
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function countOutboxDeadLetters(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('dead_letters')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('source', '=', 'outbox')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function renderOutboxDeadLetters(rows: OutboxDeadLetter[]): string {
  return renderTable(
    ['ID', 'DEAD AT', 'TOPIC', 'KEY', 'ATTEMPTS', 'EVENT', 'LAST ERROR'],
    rows.map((r) => [
      r.id,
      r.dead_at.toISOString(),
      r.topic,
      r.partition_key ?? '-',
      String(r.attempts ?? '-'),
      r.event_id,
      r.reason.replace(/\s+/g, ' ').slice(0, 120),
    ]),
  );
}

const REPLAY_BATCH = 500;

/**
 * Moves outbox dead letters back into the outbox in one transaction: delete them (only outbox ones),
 * insert their events as new outbox rows (attempts start again, in their original order), and NOTIFY the
 * relay, which wakes when the transaction commits. An event whose id is somehow in the outbox already is
 * not queued twice. Returns the ids it moved.
 */
export async function replayOutboxDeadLetters(db: Kysely<Database>, ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  return db.transaction().execute(async (trx) => {
    const moved = await trx
      .deleteFrom('dead_letters')
      .where('source', '=', 'outbox')
      .where('id', 'in', ids)
      .returning(['id', 'event_id', 'topic', 'partition_key', 'cloud_event'])
      .execute();
    if (!moved.length) return [];
    moved.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    const rows = moved.map((d) => {
      // The relay would fail on it again (it parses every row): refuse, and the transaction keeps it.
      const event = CloudEvent.safeParse(d.cloud_event);
      if (!event.success || event.data.id !== d.event_id)
        throw new PlatformError(
          `dead letter ${d.id} does not hold a valid CloudEvent ${d.event_id}; not replayed`,
        );
      return {
        event_id: d.event_id,
        topic: d.topic,
        partition_key: d.partition_key ?? event.data.partitionkey ?? event.data.subject ?? d.event_id,
        event_type: event.data.type,
        cloud_event: JSON.stringify(event.data),
      };
    });
    await trx
      .insertInto('outbox')
      .values(rows)
      .onConflict((oc) => oc.column('event_id').doNothing())
      .execute();
    await sql`select pg_notify(${OUTBOX_CHANNEL}, '')`.execute(trx);
    return moved.map((d) => d.id);
  });
}

/** Every outbox dead letter there is now, in batches of REPLAY_BATCH (each its own transaction). */
export async function replayAllOutboxDeadLetters(db: Kysely<Database>): Promise<number> {
  let total = 0;
  let after = '0';
  for (;;) {
    const batch = await db
      .selectFrom('dead_letters')
      .select('id')
      .where('source', '=', 'outbox')
      .where('id', '>', after)
      .orderBy('id')
      .limit(REPLAY_BATCH)
      .execute();
    if (!batch.length) return total;
    total += (
      await replayOutboxDeadLetters(
        db,
        batch.map((b) => b.id),
      )
    ).length;
    after = batch.at(-1)!.id;
  }
}

/**
 * `todo-platform dlq outbox …`: `args` are the words after `outbox`. Returns the exit code (1 when some
 * given id was not an outbox dead letter); user errors throw PlatformError.
 */
export async function outboxDlqCommand(
  args: string[],
  log: (line: string) => void = console.log,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'database-url': { type: 'string' },
      all: { type: 'boolean', default: false },
      limit: { type: 'string', default: '100' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command = 'list', ...ids] = positionals;
  const limit = Number(values.limit);
  const valid =
    (command === 'list' && ids.length === 0 && !values.all && Number.isInteger(limit) && limit > 0) ||
    (command === 'replay' && ids.length > 0 !== values.all && ids.every((id) => /^\d+$/.test(id)));
  if (values.help || !valid) {
    log(OUTBOX_DLQ_USAGE);
    return values.help ? 0 : 2;
  }
  const url = values['database-url'] ?? env.DATABASE_URL;
  if (!url) throw new PlatformError('dlq outbox needs the database: --database-url <url> or DATABASE_URL');
  const handle = connectDatabase(url, 2);
  try {
    try {
      await sql`select 1`.execute(handle.db);
    } catch (e) {
      throw new PlatformError(`Could not reach Postgres at ${redact(url)}: ${(e as Error).message}`);
    }
    if (command === 'list') {
      const rows = await listOutboxDeadLetters(handle.db, limit);
      log(renderOutboxDeadLetters(rows));
      const total = await countOutboxDeadLetters(handle.db);
      if (total > rows.length) log(`(${rows.length} of ${total}; --limit to see more)`);
      return 0;
    }
    if (values.all) {
      log(`replayed ${await replayAllOutboxDeadLetters(handle.db)} outbox dead letter(s) into the outbox`);
      return 0;
    }
    const moved = await replayOutboxDeadLetters(handle.db, ids);
    log(`replayed ${moved.length} outbox dead letter(s) into the outbox`);
    const missing = ids.filter((id) => !moved.includes(id));
    if (missing.length) {
      log(`not outbox dead letters (or replayed already): ${missing.join(', ')}`);
      return 1;
    }
    return 0;
  } finally {
    await handle.close();
  }
}

/** The URL without its password, for messages. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
