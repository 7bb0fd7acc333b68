/** One JSON line per entry on stdout: what log collectors in a cluster expect. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;

function serialise(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields))
    out[k] = v instanceof Error ? { message: v.message, stack: v.stack } : v;
  return out;
}

export function createLogger(
  level: keyof typeof LEVELS = 'info',
  base: Record<string, unknown> = {},
): Logger {
  const min = LEVELS[level];
  const write = (lvl: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}) => {
    if (LEVELS[lvl] < min) return;
    process.stdout.write(
      `${JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...base, ...serialise(fields) })}\n`,
    );
  };
  return {
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}
