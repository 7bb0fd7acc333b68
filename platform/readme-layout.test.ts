import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_KEYS } from '@todo/core/runtime/config';
import { describe, expect, it } from 'vitest';
import { catalog } from '../functions/catalog.ts';

const root = new URL('..', import.meta.url).pathname;

/** The paths named in the first column of the README's "Layout" table (`a/`, `b/` → both). */
function layoutPaths(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Layout'), readme.indexOf('## The API'));
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] as string))
    .map((p) => p.replace(/\/$/, ''));
}

/** Folders (and loose source files) a reader would look for in the table. */
function treeEntries(dir: string): string[] {
  return readdirSync(join(root, dir))
    .filter((name) => !name.startsWith('.') && name !== 'node_modules' && name !== 'README.md')
    .filter((name) => {
      const isDir = statSync(join(root, dir, name)).isDirectory();
      return isDir || /\.(ts|mjs)$/.test(name);
    })
    .filter((name) => !/\.test\.ts$/.test(name))
    .map((name) => `${dir}/${name}`);
}

describe('the README layout table', () => {
  const listed = layoutPaths();
  const functionNames = new Set(catalog.map((f) => f.name));

  it('names only paths that exist', () => {
    const missing = listed.filter((p) => !p.includes('<') && !existsSync(join(root, p)));
    expect(missing).toEqual([]);
  });

  it('covers every folder of functions/ and platform/ (functions through `functions/<name>/`)', () => {
    const unlisted = [...treeEntries('functions'), ...treeEntries('platform')].filter((p) => {
      if (listed.includes(p)) return false;
      const [top, name] = p.split('/');
      if (top === 'functions' && functionNames.has(name as string)) return false;
      // The platform package's own files, which the table does not need to name.
      return !['platform/package.json', 'platform/Dockerfile'].includes(p);
    });
    expect(unlisted).toEqual([]);
  });
});

describe('the README configuration section', () => {
  it('names every setting config.ts reads', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Performance'));
    expect(CONFIG_KEYS.filter((key) => !section.includes(`\`${key}\``))).toEqual([]);
  });
});
