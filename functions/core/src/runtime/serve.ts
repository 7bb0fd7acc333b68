import type { AddressInfo } from 'node:net';
import { coldStartListener } from './cold-listener.ts';

export interface FetchApp {
  /** `env`: the bindings Hono hands the app as `c.env` (the Node adapter's, or http.ts `BodyFraming`). */
  fetch(request: Request, env?: unknown): Response | Promise<Response>;
}

export interface RunningServer {
  port: number;
  /** Stops accepting connections and resolves once in-flight requests finish or `graceMs` passes. */
  close(graceMs: number): Promise<void>;
}

export async function listen(app: FetchApp, port: number, hostname = '0.0.0.0'): Promise<RunningServer> {
  // Loaded at the first listen, not at import: a V8 start-up snapshot cannot hold Node's HTTP parser (the
  // function images start from one: container-entry.mjs), and a snapshot's main cannot import(). The Hono
  // adapter loads after the first answer (cold-listener.ts).
  const { createServer } = process.getBuiltinModule('node:http');
  const server = createServer(coldStartListener(app, hostname));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, hostname, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: (graceMs) =>
      new Promise<void>((done) => {
        const timer = setTimeout(() => {
          server.closeAllConnections();
          done();
        }, graceMs);
        server.close(() => {
          clearTimeout(timer);
          done();
        });
        server.closeIdleConnections();
      }),
  };
}

/**
 * SIGTERM/SIGINT, in podinfo's order: mark unready (readiness probes fail, endpoints drop the pod) and
 * keep serving for `delayMs` while that propagates, then stop accepting, let in-flight requests finish,
 * release resources and exit. Closing the listener in the same tick as marking unready would refuse
 * requests still routed here.
 */
export function onShutdown(steps: { markDraining(): void; close(): Promise<void>; delayMs?: number }): void {
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    steps.markDraining();
    try {
      if (steps.delayMs) await new Promise((r) => setTimeout(r, steps.delayMs));
      await steps.close();
    } finally {
      process.exit(0);
    }
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
