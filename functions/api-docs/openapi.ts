import { z } from 'zod';
import { catalog, type HttpRoute } from '../catalog.ts';

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

const problem = {
  description: 'Problem details (RFC 9457)',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

function parameters(route: HttpRoute): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const json = toSchema(schema, 'input') as {
      properties?: Record<string, JsonSchema>;
      required?: string[];
    };
    for (const [name, s] of Object.entries(json.properties ?? {})) {
      out.push({
        name,
        in: where,
        required: where === 'path' || (json.required ?? []).includes(name),
        schema: s,
      });
    }
  }
  return out;
}

function operation(fn: string, route: HttpRoute): JsonSchema {
  return {
    operationId: `${fn}.${route.method.toLowerCase()}.${route.path.split('/').filter(Boolean).slice(2).join('.')}`,
    summary: route.summary,
    tags: [fn],
    ...(route.public ? { security: [] } : {}),
    parameters: parameters(route),
    ...(route.body && {
      requestBody: {
        required: true,
        content: { 'application/json': { schema: toSchema(route.body, 'input') } },
      },
    }),
    responses: {
      [route.status]: route.response
        ? {
            description: 'OK',
            content: { 'application/json': { schema: toSchema(route.response, 'output') } },
          }
        : { description: 'OK' },
      '400': problem,
      ...(route.public ? {} : { '401': problem }),
      ...(route.params ? { '404': problem } : {}),
    },
  };
}

/** OpenAPI 3.1, whose schema dialect is JSON Schema 2020-12: zod's own output fits as it is. */
export function buildOpenApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const fn of catalog) {
    for (const route of fn.routes) {
      const path = route.path.replace(/:(\w+)/g, '{$1}');
      paths[path] ??= {};
      paths[path][route.method.toLowerCase()] = operation(fn.name, route);
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Todo API',
      version: '1.0.0',
      description: 'Tasks, tags, search, recurrence and reminders.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Problem: {
          type: 'object',
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                properties: { field: { type: 'string' }, message: { type: 'string' } },
              },
            },
          },
          required: ['title', 'status'],
        },
      },
    },
  };
}
