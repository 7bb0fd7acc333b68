import { PROBLEM_TYPES } from '@todo/core/runtime/errors';
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

const problemOrRpc = {
  description: 'Problem details (RFC 9457), or a JSON-RPC error object from the MCP transport',
  content: {
    ...problem.content,
    'application/json': { schema: { $ref: '#/components/schemas/JsonRpcError' } },
  },
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

/**
 * Every problem status a route can answer, from the catalog: the ones its shape implies and the ones it
 * declares (`problems`). One list, so the document and the fuzzing tier agree on what is a contract break.
 */
export function problemStatuses(route: HttpRoute): number[] {
  const statuses = new Set<number>([400, 503, ...(route.problems ?? [])]);
  if (!route.public) statuses.add(401);
  if (route.params) statuses.add(404);
  if (route.body || route.bodies) statuses.add(413);
  statuses.delete(route.status);
  return [...statuses].sort((a, b) => a - b);
}

/**
 * The OpenAPI links of a route's success response, from its catalog `links`: each id it hands on fills the
 * path parameter of every route at the `to` path or below it. A link naming a path no route has, or a
 * pointer its response schema lacks, is a mistake in the catalog and stops the build.
 */
export function responseLinks(route: HttpRoute): Record<string, JsonSchema> | undefined {
  if (!route.links?.length) return undefined;
  const links: Record<string, JsonSchema> = {};
  for (const { from, to } of route.links) {
    const where = `${route.method} ${route.path} link ${from} → ${to}`;
    if (!route.response || !resolvePointer(toSchema(route.response, 'output'), from))
      throw new Error(`${where}: the response schema has no ${from}`);
    const param = /:(\w+)$/.exec(to)?.[1];
    if (!param) throw new Error(`${where}: the target path must end in a :parameter`);
    const targets = catalog.flatMap((fn) =>
      fn.routes.filter((r) => r.path === to || r.path.startsWith(`${to}/`)).map((r) => r.operationId),
    );
    if (!targets.length) throw new Error(`${where}: no route has that path`);
    for (const id of targets) {
      links[id] = {
        operationId: id,
        parameters: { [param]: `$response.body#${from}` },
      };
    }
  }
  return links;
}

/** The schema a JSON pointer (`/items/0/id`) reaches within a JSON Schema's properties and items. */
function resolvePointer(schema: JsonSchema, pointer: string): JsonSchema | undefined {
  let at: JsonSchema | undefined = schema;
  for (const key of pointer.split('/').slice(1)) {
    const props = at?.properties as Record<string, JsonSchema> | undefined;
    at = /^\d+$/.test(key) ? (at?.items as JsonSchema | undefined) : props?.[key];
  }
  return at;
}

function operation(fn: string, route: HttpRoute): JsonSchema {
  const links = responseLinks(route);
  return {
    operationId: route.operationId,
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
    ...(route.bodies && {
      requestBody: {
        required: true,
        content: Object.fromEntries(
          Object.entries(route.bodies).map(([type, schema]) => [type, { schema: toSchema(schema, 'input') }]),
        ),
      },
    }),
    responses: {
      [route.status]: route.response
        ? {
            description: 'OK',
            content: { 'application/json': { schema: toSchema(route.response, 'output') } },
            ...(links && { links }),
          }
        : { description: 'OK' },
      ...Object.fromEntries(
        problemStatuses(route).map((status) => [String(status), route.jsonRpc ? problemOrRpc : problem]),
      ),
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
      description: [
        'Tasks, tags, search, recurrence and reminders.',
        '',
        'Errors are RFC 9457 problem+json. Text (bodies and query values) must not contain NUL (U+0000) or',
        'unpaired UTF-16 surrogates: such a request is a 400 naming the field, never stored altered.',
        'Date-times are ISO 8601 with an offset, years 0001-9999, offsets within ±15:59. A method a path',
        'does not have is a 405 with an Allow header.',
      ].join('\n'),
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        JsonRpcError: {
          type: 'object',
          properties: {
            jsonrpc: { const: '2.0' },
            error: {
              type: 'object',
              properties: { code: { type: 'integer' }, message: { type: 'string' }, data: {} },
              required: ['code', 'message'],
            },
            id: { type: ['string', 'integer', 'null'] },
          },
          required: ['jsonrpc', 'error'],
        },
        Problem: {
          type: 'object',
          properties: {
            type: {
              type: 'string',
              enum: PROBLEM_TYPES,
              description:
                'What kind of problem this is, for a client to branch on (never parse `detail`): a URI relative to the API origin, one per status, e.g. /problems/validation (400), /problems/not-found (404), /problems/conflict (409), /problems/rate-limited (429). `title` follows from it.',
            },
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
