import { z } from 'zod';

/** The feed's address as the account page shows it. */
export const CalendarFeedOut = z.object({
  /**
   * The secret address to subscribe to; null when the server's secret has changed since it was made
   * (the address still works, but can no longer be shown: POST for a new one).
   */
  url: z.url().nullable(),
  created_at: z.string(),
});

/** A new (or regenerated) address: the previous one no longer works. */
export const CalendarFeedCreated = z.object({ url: z.url(), created_at: z.string() });

/** The public feed's path: `<token>.ics`, the token being the secret. */
export const CalendarTokenParam = z.object({
  token: z.string().min(1).describe('the secret token from the feed address (43 characters, base64url)'),
});

/**
 * `type=todo` gives VTODOs instead of VEVENTs. Not strict: calendar apps may add parameters of their own
 * (a cache buster), and a subscription that breaks on one would fail silently on the user's phone.
 */
export const CalendarQuery = z.object({ type: z.enum(['event', 'todo']).default('event') });
