// The load bench's request mix, as one interface with two implementations: through our HTTP API
// (load-http.ts) and the same SQL straight through `pg` (load-raw.ts), so both are driven alike.

/** One request of the mix: a read (list + search + sort), or either half of a write session. */
export type RequestKind = 'list' | 'create' | 'complete';
export const REQUEST_KINDS: readonly RequestKind[] = ['list', 'create', 'complete'];

/**
 * What one simulated user can do. Each call is one request and rejects when it fails (an HTTP status
 * other than the expected one, a socket error, a query error), with a short reason as the message.
 */
export interface MixClient {
  list(user: number): Promise<void>;
  /** Creates a task and answers its id (the user completes it later). */
  create(user: number): Promise<string>;
  complete(user: number, taskId: string): Promise<void>;
}

/** A request's outcome: its latency and, when it failed, why. */
export interface Outcome {
  kind: RequestKind;
  ms: number;
  error?: string;
}

/** Latencies per kind, errors by reason, and how many requests there were. */
export class Tally {
  readonly ms: Record<RequestKind, number[]> = { list: [], create: [], complete: [] };
  readonly errors = new Map<string, number>();
  requests = 0;

  add(o: Outcome): void {
    this.requests++;
    this.ms[o.kind].push(o.ms);
    if (o.error) this.errors.set(o.error, (this.errors.get(o.error) ?? 0) + 1);
  }

  get errorCount(): number {
    return [...this.errors.values()].reduce((a, b) => a + b, 0);
  }

  describeErrors(): string {
    return [...this.errors].map(([why, n]) => `${why} ×${n}`).join(', ');
  }
}

/** Runs one request of `kind` and turns its result (or failure) into an Outcome timed from `since`. */
export async function timed<T>(
  kind: RequestKind,
  since: number,
  run: () => Promise<T>,
): Promise<{ outcome: Outcome; value?: T }> {
  try {
    const value = await run();
    return { outcome: { kind, ms: performance.now() - since }, value };
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    return { outcome: { kind, ms: performance.now() - since, error: `${kind}: ${why}` } };
  }
}
