/** Small builders for pods and specs, and a run of the pipeline that hands back the output's containers and wrapper flags. */
import { parse } from 'yaml';
import { transform } from '../src/pipeline/index.js';
import { parseWrapperArgs } from '../src/rewrite/flags.js';

type O = Record<string, any>;

export function job(containers: O[], restartPolicy = 'Never', extra: O = {}): string {
  return JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j' },
    spec: { template: { spec: { restartPolicy, containers, ...extra } } },
  });
}
export function deployment(containers: O[], extra: O = {}): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers, ...extra } } },
  });
}
export const c = (name: string, extra: O = {}): O => ({ name, image: `${name}:1`, command: [`/${name}`], ...extra });
export function specYaml(containers: O[], extra: O = {}): string {
  return JSON.stringify({ apiVersion: 'startorder.dev/v1alpha1', kind: 'StartOrder', metadata: { name: 's' }, spec: { containers, ...extra } });
}

export function run(input: string, spec: string) {
  const r = transform([{ name: 'in.json', text: input }], { configs: [{ name: 'spec.yaml', text: spec }] });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  const doc = r.files[0] ? (parse(r.files[0].text) as O) : undefined;
  const pod: O | undefined = doc ? (doc.kind === 'Pod' ? doc.spec : doc.spec.template.spec) : undefined;
  const all = pod ? [...(pod.initContainers ?? []), ...pod.containers] : [];
  const container = (n: string): O => all.find((x: O) => x.name === n);
  const flags = (n: string) => parseWrapperArgs(container(n).args)!;
  return { r, errors, pod, container, flags };
}
