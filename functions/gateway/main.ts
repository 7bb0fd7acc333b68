import { createLogger, listen, loadConfig, onShutdown } from '@todo/core';
import { createGatewayApp, httpForward } from './app.ts';

/**
 * The gateway's container: forwards each route to its function. In a cluster each function's Service is
 * `<name>` (or the KEDA interceptor, when FUNCTION_URL_TEMPLATE says so).
 */
export async function runGateway(): Promise<void> {
  const config = loadConfig();
  const template = process.env.FUNCTION_URL_TEMPLATE ?? 'http://{name}';
  const log = createLogger(config.LOG_LEVEL, { fn: 'gateway' });
  const lifecycle = { draining: false };
  const server = await listen(
    createGatewayApp(
      httpForward((fn) => template.replace('{name}', fn)),
      { lifecycle, logError: (msg, err) => log.error(msg, { err }) },
    ),
    config.PORT,
  );
  log.info('listening', { port: server.port });
  onShutdown({
    delayMs: config.SHUTDOWN_DELAY_MS,
    markDraining: () => {
      lifecycle.draining = true;
    },
    close: () => server.close(config.SHUTDOWN_GRACE_MS),
  });
}
