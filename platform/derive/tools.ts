// helm, kubeconform and actionlint come from platform/engines (get-k8s-tools.sh, built once and cached
// under ~/.cache/todo-fn). Nothing here downloads anything itself.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ensureK8sTools, type K8sTools } from '../engines/k8s-tools.ts';

const exec = promisify(execFile);

let cached: Promise<K8sTools> | undefined;

export function k8sTools(): Promise<K8sTools> {
  cached ??= ensureK8sTools();
  return cached;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a tool; on a non-zero exit throws with the command line and its output. */
export async function run(
  cmd: string,
  args: string[],
  opts: { input?: string; cwd?: string } = {},
): Promise<RunResult> {
  const child = exec(cmd, args, { cwd: opts.cwd, maxBuffer: 64 * 1024 * 1024 });
  if (opts.input !== undefined) child.child.stdin?.end(opts.input);
  try {
    const { stdout, stderr } = await child;
    return { stdout, stderr };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${cmd} ${args.join(' ')} failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`.trim(),
    );
  }
}
