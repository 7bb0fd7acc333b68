// helm, kubeconform and actionlint come from platform/engines/get-k8s-tools.sh (built once, cached under
// ~/.cache/todo-fn). Nothing here downloads anything itself; a failure says which script to run by hand.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { enginesDir, runEngineScript } from '../engines/proc.ts';

const exec = promisify(execFile);

export interface K8sTools {
  helm: string;
  kubeconform: string;
  actionlint: string;
  /** Root of the offline JSON schemas (core/ and crds/<group>/). */
  schemas: string;
  /** platform/engines/kubeconform.sh: kubeconform -strict against those schemas only. */
  kubeconformScript: string;
}

let cached: Promise<K8sTools> | undefined;

export function k8sTools(): Promise<K8sTools> {
  cached ??= runEngineScript('get-k8s-tools.sh').then((out) => {
    const vars = Object.fromEntries(
      out
        .split('\n')
        .map((l) => /^([A-Z0-9_]+)=(.*)$/.exec(l.trim()))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1], m[2]]),
    );
    const bin = vars.K8S_TOOLS_BIN;
    const schemas = vars.K8S_SCHEMAS;
    if (!bin || !schemas)
      throw new Error(`platform/engines/get-k8s-tools.sh printed no K8S_TOOLS_BIN/K8S_SCHEMAS:\n${out}`);
    return {
      helm: join(bin, 'helm'),
      kubeconform: join(bin, 'kubeconform'),
      actionlint: join(bin, 'actionlint'),
      schemas,
      kubeconformScript: join(enginesDir, 'kubeconform.sh'),
    };
  });
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
  if (opts.input !== undefined) {
    child.child.stdin?.end(opts.input);
  }
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
