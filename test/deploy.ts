/**
 * Renders deploy/ with the real kustomize and deploy/chart/startorder with the real Helm (both
 * built and cached by scripts/tools/build-tools.sh, see test/integrations/tools.ts), for the tests
 * of test/deploy-render.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { cannotBuild, ROOT, run, toolPath, type Tool } from './integrations/tools.js';

export const DEPLOY = join(ROOT, 'deploy');
export const CHART = join(DEPLOY, 'chart', 'startorder');
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [k: string]: any;
};

export function objects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((d): d is K8sObject => d !== null && d !== undefined);
}

/** A tool's binary, or the reason this machine cannot build it (then the test skips with it). */
export function tool(name: Tool): { bin: string } | { skip: string } {
  const why = cannotBuild(name);
  return why ? { skip: why } : { bin: toolPath(name) };
}

/** `kustomize build` of deploy/ with the given Components of deploy/ (in a kustomization outside it). */
export function kustomize(bin: string, components: string[] = []): K8sObject[] {
  const dir = mkdtempSync(join(tmpdir(), 'startorder-kustomize-'));
  const rel = relative(dir, DEPLOY);
  const lines = ['resources:', `  - ${rel}`, ...(components.length ? ['components:', ...components.map((c) => `  - ${rel}/${c}`)] : [])];
  writeFileSync(join(dir, 'kustomization.yaml'), `${lines.join('\n')}\n`);
  const r = run(bin, ['build', components.length ? dir : DEPLOY]);
  assert.equal(r.status, 0, r.stderr);
  return objects(r.stdout);
}

/** helm with homes of its own, so nothing of the machine's Helm config leaks in. */
export function helm(bin: string) {
  const home = mkdtempSync(join(tmpdir(), 'startorder-helm-'));
  const env = { ...process.env, HELM_CONFIG_HOME: join(home, 'config'), HELM_DATA_HOME: join(home, 'data'), HELM_CACHE_HOME: join(home, 'cache') };
  return (...args: string[]) => run(bin, args, { env });
}

/** `helm template` of the chart in startorder-system, CRDs included, with --set values. */
export function helmTemplate(h: ReturnType<typeof helm>, set: string[] = [], namespace = 'startorder-system'): K8sObject[] {
  const r = h('template', 'startorder', CHART, '--namespace', namespace, '--include-crds', ...set.flatMap((s) => ['--set', s]));
  assert.equal(r.status, 0, r.stderr);
  return objects(r.stdout);
}

export const find = (objs: K8sObject[], kind: string, name?: string) => {
  const o = objs.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  assert.ok(o, `no ${kind} ${name ?? ''}`);
  return o;
};

type Requirement = { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] };
export type LabelSelector = { matchLabels?: Record<string, string>; matchExpressions?: Requirement[] };

/** Kubernetes LabelSelector semantics (apimachinery labels.Selector), to ask a selector what it matches. */
export function matches(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const r of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, r.key);
    const inValues = has && (r.values ?? []).includes(labels[r.key]!);
    const ok = { In: inValues, NotIn: !inValues, Exists: has, DoesNotExist: !has }[r.operator];
    if (!ok) return false;
  }
  return true;
}

/** An object without the labels each tool adds its own way (kustomize's part-of, Helm's release labels). */
export function withoutLabels(o: K8sObject): K8sObject {
  const c = structuredClone(o);
  delete c.metadata.labels;
  return c;
}
