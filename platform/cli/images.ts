// `todo-platform images`: builds every image inside Minikube's container runtime (nothing is pushed or
// pulled): one per catalog function from platform/Dockerfile, the migration image and the web image.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { PlatformError } from './kube.ts';
import { requireCommand } from './shell.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;

/** Image names: every function in the chart's catalog projection, then migrate and web. */
export function imageNames(): string[] {
  const data = parse(readFileSync(`${repoRoot}platform/chart/files/deployment.yaml`, 'utf8')) as {
    functions: { name: string }[];
  };
  return [...data.functions.map((f) => f.name), 'migrate', 'web'];
}

export async function buildImages(opts: { tag: string; log: (line: string) => void }): Promise<void> {
  requireCommand('minikube', ['version']);
  const names = imageNames();
  let i = 0;
  for (const name of names) {
    const t0 = Date.now();
    opts.log(`[${++i}/${names.length}] building todo-${name}:${opts.tag} in minikube`);
    const target = name === 'web' ? ['--build-opt=target=web'] : [`--build-opt=build-arg=FUNCTION=${name}`];
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        'minikube',
        ['image', 'build', '-t', `todo-${name}:${opts.tag}`, '-f', 'platform/Dockerfile', ...target, '.'],
        { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let err = '';
      child.stderr.on('data', (d: Buffer) => {
        err = (err + d.toString()).slice(-4000);
      });
      child.once('error', (e) => reject(new PlatformError(`could not run minikube: ${e.message}`)));
      child.once('close', (code) =>
        code === 0
          ? resolve()
          : reject(new PlatformError(`building todo-${name} failed (exit ${code}):\n${err}`)),
      );
    });
    opts.log(`      done in ${Math.round((Date.now() - t0) / 1000)}s`);
  }
}
