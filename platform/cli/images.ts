// `todo-platform images`: builds every image inside Minikube's container runtime (nothing is pushed or
// pulled): one per catalog function from platform/Dockerfile, the migration image and the web image.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { PlatformError } from './kube.ts';
import { requireCommand, sh } from './shell.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;

/** Image names: every function in the chart's catalog projection, then migrate and web. */
export function imageNames(): string[] {
  const data = parse(readFileSync(`${repoRoot}platform/chart/files/deployment.yaml`, 'utf8')) as {
    functions: { name: string }[];
  };
  return [...data.functions.map((f) => f.name), 'migrate', 'web'];
}

/**
 * Lines of `minikube image build` output that say the build failed. minikube exits 0 even then
 * (kubernetes/minikube#16576), so its output is the first place to look: BuildKit's and buildctl's
 * `ERROR`/`error: failed to solve`, the legacy builder's `returned a non-zero code`, and minikube's own
 * warning when it logs to stderr.
 */
export function buildFailure(output: string): string | undefined {
  const failed = output
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) =>
      /^(#\d+ )?ERROR\b|\berror: failed to solve\b|failed to solve:|returned a non-zero code|Failed to build image|unable to prepare context|^Error response from daemon/.test(
        l,
      ),
    );
  return failed.length > 0 ? failed.slice(-5).join('\n') : undefined;
}

/**
 * Whether `minikube image ls` lists `image` (name:tag). Runtimes print it fully qualified
 * (docker.io/library/todo-gateway:abc123); a short name means docker.io/library/.
 */
export function imageListed(listing: string, image: string): boolean {
  const short = (ref: string) =>
    ref
      .trim()
      .replace(/^docker\.io\//, '')
      .replace(/^library\//, '');
  return listing.split('\n').some((line) => short(line) === short(image));
}

function minikubeBuild(name: string, tag: string): Promise<string> {
  const target = name === 'web' ? ['--build-opt=target=web'] : [`--build-opt=build-arg=FUNCTION=${name}`];
  return new Promise<string>((resolve, reject) => {
    const child = spawn(
      'minikube',
      ['image', 'build', '-t', `todo-${name}:${tag}`, '-f', 'platform/Dockerfile', ...target, '.'],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const collect = (d: Buffer) => {
      output += d.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (e) => reject(new PlatformError(`could not run minikube: ${e.message}`)));
    child.once('close', (code) =>
      code === 0
        ? resolve(output)
        : reject(new PlatformError(`building todo-${name} failed (exit ${code}):\n${output.slice(-4000)}`)),
    );
  });
}

export async function buildImages(opts: { tag: string; log: (line: string) => void }): Promise<void> {
  requireCommand('minikube', ['version']);
  const names = imageNames();
  let i = 0;
  for (const name of names) {
    const t0 = Date.now();
    const image = `todo-${name}:${opts.tag}`;
    opts.log(`[${++i}/${names.length}] building ${image} in minikube`);
    const output = await minikubeBuild(name, opts.tag);
    // Exit 0 proves nothing (kubernetes/minikube#16576): read the output, then ask the runtime.
    const failure = buildFailure(output);
    if (failure)
      throw new PlatformError(`building ${image} failed (minikube exited 0 regardless):\n${failure}`);
    if (!imageListed(await sh('minikube', ['image', 'ls']), image))
      throw new PlatformError(
        `building ${image} failed: minikube exited 0 but the image is not in \`minikube image ls\`. Its output:\n${output.slice(-4000)}`,
      );
    opts.log(`      done in ${Math.round((Date.now() - t0) / 1000)}s`);
  }
}
