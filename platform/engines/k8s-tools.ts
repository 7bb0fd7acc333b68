// helm, kubeconform and actionlint plus offline kubeconform schemas, from get-k8s-tools.sh
// (built from the Go module proxy, cached in ~/.cache/todo-fn/k8s-tools-*/ and k8s-schemas-*/).
import { join } from 'node:path';
import { enginesDir, runEngineScript } from './proc.ts';

export interface K8sTools {
  binDir: string;
  helm: string;
  kubeconform: string;
  actionlint: string;
  /** Root of the generated schemas: core/<kind>[-<group>]-<version>.json and crds/<group>/<kind>_<version>.json. */
  schemasDir: string;
  /** `kubeconform` flags that validate strictly against the local schemas only (add files or `-`). */
  kubeconformArgs: string[];
  /** The wrapper script: platform/engines/kubeconform.sh <files|->. */
  kubeconformScript: string;
}

/** Builds/fetches on first use (a few minutes cold), then returns in milliseconds. */
export async function ensureK8sTools(): Promise<K8sTools> {
  const out = await runEngineScript('get-k8s-tools.sh');
  const kv = Object.fromEntries(
    out
      .split('\n')
      .map((l) => l.split('='))
      .filter((p): p is [string, string] => p.length === 2),
  );
  const binDir = kv.K8S_TOOLS_BIN;
  const schemasDir = kv.K8S_SCHEMAS;
  if (!binDir || !schemasDir)
    throw new Error(`get-k8s-tools.sh printed no K8S_TOOLS_BIN/K8S_SCHEMAS:\n${out}`);
  return {
    binDir,
    helm: join(binDir, 'helm'),
    kubeconform: join(binDir, 'kubeconform'),
    actionlint: join(binDir, 'actionlint'),
    schemasDir,
    kubeconformArgs: [
      '-strict',
      '-summary',
      '-schema-location',
      `${schemasDir}/core/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
      '-schema-location',
      `${schemasDir}/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`,
    ],
    kubeconformScript: join(enginesDir, 'kubeconform.sh'),
  };
}
