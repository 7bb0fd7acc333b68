import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const webDir = dirname(fileURLToPath(import.meta.url));

const config: NextConfig = {
  // A self-contained server (`.next/standalone/web/server.js`) for the web container and the local runner.
  output: 'standalone',
  // npm workspaces hoist dependencies to the repository root; trace files from there.
  outputFileTracingRoot: dirname(webDir),
  turbopack: { root: dirname(webDir) },
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
