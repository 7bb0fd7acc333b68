// Test helpers: render the chart / kustomize and read the objects back.
import { parseAllDocuments } from 'yaml';
import { chartDataFiles, helmTemplate } from './generate.ts';
import { k8sTools, run } from './tools.ts';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  scopes?: string[];
}

export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`invalid YAML: ${d.errors[0]?.message}`);
      return d.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null && typeof o === 'object' && 'kind' in o);
}

/** The chart rendered from the catalog as it is now (not the committed data file). */
export function renderChart(values: string[], set: string[] = []): Promise<string> {
  return helmTemplate(values, { data: chartDataFiles(), set });
}

/** kubeconform -strict against the offline core + KEDA + HTTP add-on + Dapr schemas. */
export async function kubeconform(yamlText: string, extraArgs: string[] = []): Promise<string> {
  const tools = await k8sTools();
  const { stdout } = await run('bash', [tools.kubeconformScript, ...extraArgs, '-'], { input: yamlText });
  return stdout;
}
