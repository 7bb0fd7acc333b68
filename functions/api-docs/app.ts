import { createFunctionApp, type FunctionDeps, routeHandlers } from '@todo/core';
import { functionSpec } from '../catalog.ts';
import { buildOpenApiDocument } from './openapi.ts';

const spec = functionSpec('api-docs');

/** api-docs: GET /api/v1/openapi.json, built once per process from the catalog. */
export function apiDocsApp(deps: FunctionDeps) {
  const app = createFunctionApp(spec, deps);
  let document: unknown;
  routeHandlers(app, spec)('getOpenApiDocument', function openApiRoute(c) {
    document ??= buildOpenApiDocument();
    return c.json(document);
  });
  return app;
}

export default apiDocsApp;
