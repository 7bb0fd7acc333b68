import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '@todo/core/runtime/config';
import { createLogger } from '@todo/core/runtime/log';
import { createLocalStack } from './stack.ts';

/**
 * `npm start`'s event side on a thread of its own (issue 11): the outbox relay, the local bus with every
 * event function, and the clock's job runner. The main thread serves requests only, so on a machine with
 * two cores a burst of events (each write fans out to audit, reminders, recurrence) no longer queues
 * behind requests, nor requests behind it. The two threads meet only in Postgres — outbox rows with their
 * NOTIFY, scheduled_jobs — exactly as the functions meet in a cluster, so the contract is the same.
 */
export interface EventsWorkerData {
  databaseUrl: string;
  jwtSecret: string;
  config: Config;
  appToken: string;
}

const { databaseUrl, jwtSecret, config, appToken } = workerData as EventsWorkerData;
const stack = await createLocalStack({
  databaseUrl,
  jwtSecret,
  config,
  appToken,
  log: createLogger(config.LOG_LEVEL, { fn: 'local-events' }),
  background: true,
});
const port = parentPort!;
// 'stop': finish what is in hand (the relay's current batch, a firing job), close the pool, and end —
// the thread exits once nothing is left on its event loop.
port.on('message', (message) => {
  if (message !== 'stop') return;
  void stack.close().then(() => port.close());
});
port.postMessage('ready');
