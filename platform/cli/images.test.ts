// `todo-platform images` without minikube: how a failed build is recognised although minikube exits 0
// (kubernetes/minikube#16576), and the build context every image build sends (.dockerignore).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildFailure, imageListed } from './images.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('a minikube image build that exits 0', () => {
  it('is a failure when BuildKit, buildctl or the legacy builder said so', () => {
    const buildkit = [
      '#10 [bundles 4/4] RUN node platform/scripts/build-functions.mjs',
      '#10 0.412 ✘ [ERROR] Could not resolve "./nope.ts"',
      '#10 ERROR: process "/bin/sh -c node platform/scripts/build-functions.mjs" did not complete successfully: exit code: 1',
      '------',
      'Dockerfile:29',
      'ERROR: failed to solve: process "/bin/sh -c node platform/scripts/build-functions.mjs" did not complete successfully: exit code: 1',
    ].join('\n');
    expect(buildFailure(buildkit)).toMatch(/^#10 ERROR: process[\s\S]*\nERROR: failed to solve/);
    expect(
      buildFailure('error: failed to solve: process "/bin/sh -c npm install" did not complete successfully'),
    ).toMatch(/failed to solve/);
    expect(
      buildFailure(
        "Step 9/12 : RUN test -f dist/x.js\nThe command '/bin/sh -c test -f dist/x.js' returned a non-zero code: 1",
      ),
    ).toMatch(/returned a non-zero code: 1/);
    expect(
      buildFailure('W0524 10:00:00 build_images.go:1] Failed to build image for profile minikube.'),
    ).toMatch(/Failed to build image/);
  });

  it('is a success when the output only has warnings and step logs that mention errors', () => {
    const ok = [
      '#8 [function-deps 5/5] RUN npm install --no-audit --no-fund',
      '#8 4.1 npm warn deprecated inflight@1.0.6: This module is not supported',
      '#9 0.3 ▲ [WARNING] "import.meta" is not available [empty-import-meta]',
      '#9 0.4 the word ERROR inside a step log',
      '#12 naming to docker.io/library/todo-gateway:abc123 done',
      '#12 DONE 0.1s',
    ].join('\n');
    expect(buildFailure(ok)).toBeUndefined();
  });

  it('is a success only if `minikube image ls` then lists the image, under any of its spellings', () => {
    const listing = [
      'registry.k8s.io/pause:3.10',
      'docker.io/library/todo-gateway:abc123',
      'docker.io/library/todo-web:abc123',
      '',
    ].join('\n');
    expect(imageListed(listing, 'todo-gateway:abc123')).toBe(true);
    expect(imageListed(listing, 'docker.io/library/todo-web:abc123')).toBe(true);
    expect(imageListed(listing, 'todo-gateway:def456')).toBe(false);
    expect(imageListed(listing, 'todo-migrate:abc123')).toBe(false);
    expect(imageListed(listing, 'todo-gate:abc123')).toBe(false);
  });
});

/** Whether .dockerignore keeps `path` out: it, or a folder above it, matches a pattern. */
function ignored(patterns: string[], path: string): boolean {
  const segment = (part: string) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
  const regexes = patterns.map((p) => new RegExp(`^${p.split('**/').map(segment).join('(.*/)?')}$`));
  const parts = path.split('/');
  return parts.some((_, i) => regexes.some((r) => r.test(parts.slice(0, i + 1).join('/'))));
}

describe('the build context (.dockerignore)', () => {
  const patterns = readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('keeps dependencies, git, caches, build output and screenshots out of every upload', () => {
    for (const path of [
      'node_modules/hono/package.json',
      'web/node_modules/next/package.json',
      '.git/HEAD',
      'web/.next/cache/x',
      'dist/gateway.js',
      '.data/pg/PG_VERSION',
      '.cache/x',
      'web/screenshots/tasks-desktop.png',
      '.engines-cache/kafka-4.4.0/libs/kafka.jar',
    ])
      expect(ignored(patterns, path), path).toBe(true);
  });

  it('sends everything platform/Dockerfile copies', () => {
    const dockerfile = readFileSync(join(root, 'platform/Dockerfile'), 'utf8');
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(' '));
    expect(sources).toContain('functions');
    for (const source of sources) expect(ignored(patterns, source), source).toBe(false);
    for (const file of [
      'functions/core/src/runtime/config.ts',
      'platform/scripts/build-functions.mjs',
      'web/package.json',
    ])
      expect(ignored(patterns, file), file).toBe(false);
  });

  it('is the only list: no platform/Dockerfile.dockerignore, which BuildKit would read instead', () => {
    expect(existsSync(join(root, 'platform/Dockerfile.dockerignore'))).toBe(false);
  });
});
