import { describe, expect, it } from 'vitest';
import { programFor } from './images.ts';

const images = { repoRoot: '/repo', daprBin: '/cache/dapr/bin', node: '/usr/bin/node' };

describe('programFor', () => {
  it('runs a function image as its bundle, whatever the registry and tag', () => {
    expect(programFor({ image: 'ghcr.io/acme/todo-create-task:abc123' }, images)).toEqual({
      command: '/usr/bin/node',
      args: ['dist/create-task.js'],
      cwd: '/repo',
    });
    expect(programFor({ image: 'todo-migrate:dev' }, images).args).toEqual(['dist/migrate.js']);
  });

  it("with the images' Node.js, starts a function image from its snapshot blob, as the image does", () => {
    const withSnapshots = { ...images, snapshotNode: '/cache/node-24/bin/node' };
    expect(programFor({ image: 'todo-list-tasks:abc' }, withSnapshots)).toEqual({
      command: '/cache/node-24/bin/node',
      args: ['--snapshot-blob', '/repo/dist/snapshots/list-tasks.blob'],
      cwd: '/repo',
    });
    expect(programFor({ image: 'todo-migrate:dev' }, withSnapshots).args[1]).toMatch(/migrate\.blob$/);
    expect(() => programFor({ image: 'todo-tags:x', args: ['--x'] }, withSnapshots)).toThrow(/not supported/);
  });

  it("runs daprd's image as the daprd binary with the container's own arguments", () => {
    const p = programFor(
      { image: 'ghcr.io/dapr/daprd:1.18.2', command: ['/daprd'], args: ['--app-id', 'audit'] },
      images,
    );
    expect(p).toEqual({ command: '/cache/dapr/bin/daprd', args: ['--app-id', 'audit'], cwd: '/repo' });
  });

  it('refuses images it cannot run, saying why', () => {
    expect(() => programFor({ image: 'redis:7' }, images)).toThrow(/not available on this node/);
    expect(() => programFor({ image: 'todo-web:dev' }, images)).toThrow(/not available/);
  });
});
