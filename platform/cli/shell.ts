// Running helm/kubectl for `up` and `down`, with a clear message when one is missing.
import { spawn, spawnSync } from 'node:child_process';
import { PlatformError } from './kube.ts';

const INSTALL_HINT: Record<string, string> = {
  kubectl: 'install kubectl (https://kubernetes.io/docs/tasks/tools/) or use `minikube kubectl --`',
  helm: 'install Helm 3 (https://helm.sh/docs/intro/install/)',
  minikube: 'install minikube (https://minikube.sigs.k8s.io/docs/start/)',
};

export function requireCommand(cmd: string, versionArgs: string[] = ['version']): void {
  const r = spawnSync(cmd, versionArgs, { stdio: 'ignore' });
  if (r.error || r.status !== 0)
    throw new PlatformError(
      `\`${cmd}\` is required and was not found on PATH: ${INSTALL_HINT[cmd] ?? `install ${cmd}`}`,
    );
}

/** Runs a command; resolves with stdout, rejects with its stderr. */
export function sh(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.once('error', (e) => reject(new PlatformError(`could not run ${cmd}: ${e.message}`)));
    child.once('close', (code) =>
      code === 0
        ? resolve(out)
        : reject(
            new PlatformError(
              `${cmd} ${args.slice(0, 4).join(' ')} … failed (exit ${code}):\n${err.trim() || out.trim()}`,
            ),
          ),
    );
    if (child.stdin) {
      // A command that exits without reading its input must not crash us with EPIPE.
      child.stdin.on('error', () => {});
      child.stdin.end(input);
    }
  });
}
