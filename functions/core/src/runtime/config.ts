import { z } from 'zod';

/** Every setting a function reads, validated once at start. A bad value stops the process with a message naming it. */
const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  /** Postgres cancels any statement running longer than this (0 = no limit). */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(15_000),
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional(),
  /** Access tokens are short-lived (a refresh renews them); revocation is checked per request anyway. */
  JWT_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(15 * 60),
  /** How long a session lasts without a refresh (each refresh extends it): the refresh cookie's Max-Age. */
  REFRESH_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(300)
    .default(30 * 24 * 3600),
  /** The web app's address, for the links in account emails (never taken from a request's Host). */
  APP_BASE_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:3000'),
  /**
   * The app API token internal routes require (the Secret Dapr's `dapr.io/app-token-secret` names, key
   * `token`; daprd sends the same value). Required by the clock and the event functions.
   */
  APP_API_TOKEN: z.string().min(16, 'APP_API_TOKEN must be at least 16 characters').optional(),
  /** scrypt cost (log2 N) for new password hashes; 17 is OWASP's minimum. Lower only in tests. */
  PASSWORD_SCRYPT_LOG_N: z.coerce.number().int().min(10).max(20).default(17),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** How long a SIGTERM waits for in-flight requests before the pool is closed. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(5000),
  /**
   * How long a SIGTERM keeps serving while answering /readyz with 503, before it stops accepting: the
   * time for readiness probes and EndpointSlices to take the pod out of rotation (podinfo's
   * shutdown-wait). 0 where nothing routes by readiness (npm start); the chart sets it.
   */
  SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).default(0),
  DAPR_HTTP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  PUBSUB_NAME: z.string().min(1).default('pubsub'),
  /** The clock's in-cluster address: other functions schedule their Dapr jobs through it. */
  CLOCK_URL: z.url().default('http://clock:8080'),
  RESEND_API_KEY: z.string().min(1).optional(),
  RESEND_BASE_URL: z.url().optional(),
  EMAIL_FROM: z.string().min(3).default('Todo <reminders@todo.local>'),
  /** An OpenAI-compatible chat-completions endpoint for the chat box; without both, chat runs offline. */
  OPENAI_BASE_URL: z.url().optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_MODEL: z.string().min(1).default('gpt-4o-mini'),
  /** Open notification streams (SSE) one user may hold on one live replica; past it a 429. */
  LIVE_MAX_STREAMS_PER_USER: z.coerce.number().int().min(1).default(5),
  /** Open notification streams one live replica holds in all; past it a 503 (another replica may have room). */
  LIVE_MAX_STREAMS: z.coerce.number().int().min(1).default(1000),
  /** Tool calls one chat turn with a model may run; a turn that needs more ends and says so. */
  CHAT_MAX_TOOL_CALLS: z.coerce.number().int().min(1).max(100).default(8),
  /**
   * A chat turn with a model answers within this (ms), tools and model calls together: under the KEDA
   * HTTP interceptor's 30 s wait for response headers (chart keda.http.responseHeader; Knative's
   * timeoutSeconds is 30 too) and the gateway's 40 s, so the user gets our reply rather than a 504.
   */
  CHAT_TURN_DEADLINE_MS: z.coerce.number().int().min(100).max(120_000).default(25_000),
  /**
   * Failed publishes of one outbox row before the relay moves it to dead_letters and lets its task's later
   * events go (`npm run platform -- dlq outbox replay` puts it back). Retries back off 0.5 s … 60 s.
   */
  OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(10),
  /** Retention (the clock's `retention-…` job): age in days after which rows are deleted; 0 keeps them. */
  RETENTION_OUTBOX_SENT_DAYS: z.coerce.number().min(0).default(7),
  RETENTION_PROCESSED_EVENTS_DAYS: z.coerce.number().min(0).default(14),
  RETENTION_AUDIT_LOG_DAYS: z.coerce.number().min(0).default(365),
  RETENTION_DEAD_LETTERS_DAYS: z.coerce.number().min(0).default(30),
  /** Rows per delete statement, and statements per table per run: one run's work stays bounded. */
  RETENTION_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(1000),
  RETENTION_MAX_BATCHES: z.coerce.number().int().min(1).max(10_000).default(100),
  /** How often the retention job runs. */
  RETENTION_EVERY_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(60),
});

export type Config = Readonly<z.infer<typeof ConfigSchema>>;

/** The name of every setting (the README's configuration table names each one; a test checks). */
export const CONFIG_KEYS = Object.keys(ConfigSchema.shape) as (keyof Config)[];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the environment; throws a ConfigError listing every bad variable by name. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze(result.data);
}

/**
 * What the chart renders where a secret is generated by `platform up` (the Minikube kustomize path);
 * a value still holding it was never replaced.
 */
export const GENERATED_SECRET_PLACEHOLDER = 'generated-by-platform-up:';

/** Development values the chart once shipped: known to anyone who read the repository. */
const DEVELOPMENT_SECRETS = new Set([
  'minikube-only-not-a-secret-0123456789abcdef',
  'local-cluster-only-not-a-secret-0123456789abcdef',
]);

export function isDevelopmentSecret(value: string): boolean {
  return (
    DEVELOPMENT_SECRETS.has(value) ||
    value.startsWith(GENERATED_SECRET_PLACEHOLDER) ||
    /not-a-secret/i.test(value)
  );
}

/**
 * The secret every function verifies tokens with; required outside the embedded runner, and never a
 * development value there (the embedded runner generates its own and does not call this).
 */
export function requireJwtSecret(config: Config): string {
  if (!config.JWT_SECRET) throw new ConfigError('Invalid configuration:\n  JWT_SECRET: required');
  if (isDevelopmentSecret(config.JWT_SECRET))
    throw new ConfigError(
      'Invalid configuration:\n  JWT_SECRET: a development value (published in the repository); ' +
        'install the chart so it generates one, or set your own',
    );
  return config.JWT_SECRET;
}

/** The app API token of a function with internal routes (the clock, event functions): required. */
export function requireAppToken(config: Config): string {
  if (!config.APP_API_TOKEN)
    throw new ConfigError(
      'Invalid configuration:\n  APP_API_TOKEN: required (the Secret named by dapr.io/app-token-secret)',
    );
  if (isDevelopmentSecret(config.APP_API_TOKEN))
    throw new ConfigError('Invalid configuration:\n  APP_API_TOKEN: a placeholder, never generated');
  return config.APP_API_TOKEN;
}
