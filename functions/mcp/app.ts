import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { createFunctionApp, type FunctionDeps, routeHandlers } from '@todo/core';
import { callTool } from '@todo/core/assistant/call-tool';
import { TASK_TOOLS, type ToolContext } from '@todo/core/assistant/tools';
import { functionSpec } from '../catalog.ts';

const spec = functionSpec('mcp');

/** An MCP server whose tools act for one user; built per request (stateless Streamable HTTP). */
function taskServer(ctx: ToolContext, deps: FunctionDeps): McpServer {
  const server = new McpServer(
    { name: 'todo', version: '1.0.0' },
    { instructions: "Manage the signed-in user's tasks and tags. Times are ISO 8601 with an offset." },
  );
  for (const tool of TASK_TOOLS) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        annotations: tool.annotations,
      },
      async function runTaskTool(args: unknown) {
        const outcome = await callTool(ctx, tool.name, args, deps.log);
        if (!outcome.ok) return { content: [{ type: 'text' as const, text: outcome.error }], isError: true };
        const result = outcome.result as Record<string, unknown>;
        return {
          content: [{ type: 'text' as const, text: JSON.stringify(result) }],
          structuredContent: result,
        };
      },
    );
  }
  return server;
}

/**
 * mcp: POST /api/v1/mcp — the Model Context Protocol over Streamable HTTP, stateless (no session, JSON
 * responses), behind the same bearer auth as the API. GET (a server-initiated stream) and DELETE (ending a
 * session) have no meaning without sessions, so they answer 405 as the transport spec allows.
 */
export function createMcpApp(deps: FunctionDeps) {
  const app = createFunctionApp(spec, deps);
  const handle = routeHandlers(app, spec);
  handle('mcp', async function mcpRoute(c) {
    const server = taskServer({ db: deps.db, userId: c.var.user.id, source: spec.name }, deps);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      await server.close();
    }
  });
  for (const id of ['mcpGet', 'mcpDelete'] as const)
    handle(id, function mcpMethodNotAllowed(c) {
      const error = {
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Method not allowed: this server is stateless; POST only.' },
        id: null,
      };
      return c.json(error, 405, { allow: 'POST' });
    });
  return app;
}

export default createMcpApp;
