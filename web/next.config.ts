import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const webDir = dirname(fileURLToPath(import.meta.url));

/**
 * Security headers on every page (issue 10). Next's production build injects small inline scripts for
 * hydration, hence 'unsafe-inline' for scripts (no eval); everything else is same-origin only, the app
 * cannot be framed, and referrers stop at our origin.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const securityHeaders = [
  { key: 'Content-Security-Policy', value: CONTENT_SECURITY_POLICY },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  { key: 'X-Frame-Options', value: 'DENY' },
];

const config: NextConfig = {
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders }];
  },
  // A self-contained server (`.next/standalone/web/server.js`) for the web container and the local runner.
  output: 'standalone',
  // npm workspaces hoist dependencies to the repository root; trace files from there.
  outputFileTracingRoot: dirname(webDir),
  turbopack: { root: dirname(webDir) },
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
