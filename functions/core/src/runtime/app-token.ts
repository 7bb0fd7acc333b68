import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The internal routes (`/events/<topic>` that daprd delivers to, `/job/<name>` the Scheduler fires) are
 * reachable by anything that can reach the pod, so they require Dapr's app API token: with the pod
 * annotation `dapr.io/app-token-secret`, Dapr's injector gives daprd `APP_API_TOKEN` from that Secret's
 * key `token`, and daprd sends it as this header on every call to the app. The app reads the same
 * Secret into its own `APP_API_TOKEN`. The embedded runner uses a random per-process token, sent by its
 * local bus and job runner.
 */
export const APP_TOKEN_HEADER = 'dapr-api-token';

/** A fresh token (embedded mode: one per process). */
export function newAppToken(): string {
  return randomBytes(32).toString('base64url');
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time check; no expected token (not configured) refuses everything. */
export function isAppToken(expected: string | undefined, presented: string | undefined): boolean {
  if (!expected || !presented) return false;
  return timingSafeEqual(digest(expected), digest(presented));
}
