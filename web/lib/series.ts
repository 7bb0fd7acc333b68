/**
 * How long to keep asking for a completed occurrence's successor: it is made by an event function that
 * may be cold (scale from zero waits on KEDA's polling interval plus a start), so ask early and often at
 * first, then less, for about three quarters of a minute in all.
 */
export const NEXT_OCCURRENCE_BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15_000, 15_000];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Asks `check` after each delay until it says yes (true) or the delays run out (false); a throw is a no. */
export async function pollUntil(
  check: () => Promise<boolean>,
  delays: readonly number[] = NEXT_OCCURRENCE_BACKOFF_MS,
  wait: (ms: number) => Promise<void> = sleep,
): Promise<boolean> {
  for (const ms of delays) {
    await wait(ms);
    if (await check().catch(() => false)) return true;
  }
  return false;
}
