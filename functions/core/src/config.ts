import { z } from 'zod';

/** Every setting a function reads, validated once at start. A bad value stops the process with a message naming it. */
const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional(),
  JWT_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(7 * 24 * 3600),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** How long a SIGTERM waits for in-flight requests before the pool is closed. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(5000),
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
});

export type Config = Readonly<z.infer<typeof ConfigSchema>>;

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

/** The secret every function verifies tokens with; required outside the embedded runner. */
export function requireJwtSecret(config: Config): string {
  if (!config.JWT_SECRET) throw new ConfigError('Invalid configuration:\n  JWT_SECRET: required');
  return config.JWT_SECRET;
}
