import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';

export interface FetchApp {
  fetch(request: Request): Response | Promise<Response>;
}

export interface RunningServer {
  port: number;
  /** Stops accepting connections and resolves once in-flight requests finish or `graceMs` passes. */
  close(graceMs: number): Promise<void>;
}

export function listen(app: FetchApp, port: number, hostname = '0.0.0.0'): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname }, (info: AddressInfo) =>
      resolve({
        port: info.port,
        close: (graceMs) =>
          new Promise<void>((done) => {
            const timer = setTimeout(() => {
              if ('closeAllConnections' in server) server.closeAllConnections();
              done();
            }, graceMs);
            server.close(() => {
              clearTimeout(timer);
              done();
            });
            if ('closeIdleConnections' in server) server.closeIdleConnections();
          }),
      }),
    );
    server.once('error', reject);
  });
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
