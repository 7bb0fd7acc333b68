import { createFunctionApp, type FunctionDeps } from '@todo/core';
import { buildOpenApiDocument } from './openapi.ts';

/** api-docs: GET /api/v1/openapi.json, built once per process from the catalog. */
export function apiDocsApp(deps: FunctionDeps) {
  const app = createFunctionApp('api-docs', deps, { publicPaths: ['/api/v1/openapi.json'] });
  let document: unknown;
  app.get('/api/v1/openapi.json', function openApiRoute(c) {
    document ??= buildOpenApiDocument();
    return c.json(document);
  });
  return app;
}

export default apiDocsApp;
