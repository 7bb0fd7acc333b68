import { createLogger, listen, loadConfig, onShutdown } from '@todo/core';
import { createGatewayApp, httpForward } from './app.ts';

// In a cluster each function's Service is `<name>` (or the KEDA interceptor, when FUNCTION_URL_TEMPLATE says so).
const config = loadConfig();
const template = process.env.FUNCTION_URL_TEMPLATE ?? 'http://{name}';
const log = createLogger(config.LOG_LEVEL, { fn: 'gateway' });
const server = await listen(
  createGatewayApp(httpForward((fn) => template.replace('{name}', fn))),
  config.PORT,
);
log.info('listening', { port: server.port });
onShutdown({ markDraining: () => {}, close: () => server.close(config.SHUTDOWN_GRACE_MS) });
