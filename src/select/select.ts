import { parse as parseYaml } from 'yaml';
import type { Diagnostic } from '../diagnostics.js';
import type { Locator } from '../load/locate.js';
import { normalizeSpec, type SpecDefaults } from '../spec/normalize.js';
import { validateAnnotationSpec } from '../spec/schema.js';
import {
  containerNames,
  getIn,
  isObj,
  isWorkloadKind,
  PREVIOUS_NAMES,
  PREVIOUS_NAMESPACES,
  SPEC_ANNOTATION,
  SPEC_KIND,
  WORKLOAD_KINDS,
  workloadId,
  type Obj,
} from '../kube/index.js';
import type { Resource, Spec, Workload } from '../types.js';

export { PREVIOUS_NAMES, PREVIOUS_NAMESPACES, SPEC_ANNOTATION } from '../kube/index.js';

export interface Selection {
  workload: Workload;
  spec: Spec;
}

/**
 * Every (name, namespace) an object is known by: its own, then those kustomize recorded before its
 * name transformers ran (comma-separated lists, one entry per earlier transformation, in parallel).
 */
function identitiesOf(r: Pick<Resource, 'name' | 'namespace' | 'value'>): { name?: string; namespace: string }[] {
  const out: { name?: string; namespace: string }[] = [{ ...(r.name !== undefined ? { name: r.name } : {}), namespace: r.namespace ?? 'default' }];
  const ann = getIn(r.value, ['metadata', 'annotations']);
  if (!isObj(ann) || typeof ann[PREVIOUS_NAMES] !== 'string') return out;
  const names = ann[PREVIOUS_NAMES].split(',');
  const namespaces = typeof ann[PREVIOUS_NAMESPACES] === 'string' ? ann[PREVIOUS_NAMESPACES].split(',') : [];
  names.forEach((n, i) => out.push({ name: n, namespace: namespaces[i] || 'default' }));
  return out;
}

function namedBy(s: NonNullable<Spec['selector']>, r: Pick<Resource, 'name' | 'namespace' | 'value'>): boolean {
  if (!s.names && !s.namespaces) return true;
  return identitiesOf(r).some(
    (id) => (!s.names || (id.name !== undefined && s.names.includes(id.name))) && (!s.namespaces || s.namespaces.includes(id.namespace)),
  );
}

/** Without a selector: the pod has every container the spec names (one marked wrap: false may be injected later), and at least one. */
function hasAllNamed(spec: Spec, names: ReadonlySet<unknown>): boolean {
  return spec.containers.every((c) => names.has(c.name) || c.wrap === false) && spec.containers.some((c) => names.has(c.name));
}

function matches(spec: Spec, w: Workload, podSpec: Obj): boolean {
  const s = spec.selector;
  if (!s) {
    const names = containerNames(podSpec);
    return hasAllNamed(spec, names);
  }
  if (s.kinds && !s.kinds.includes(w.kind)) return false;
  if (!namedBy(s, w)) return false;
  if (s.matchLabels) {
    const labels = getIn(w.value, ['metadata', 'labels']);
    for (const [k, v] of Object.entries(s.matchLabels)) if (!isObj(labels) || labels[k] !== v) return false;
  }
  return true;
}

/** The spec a pod template carries in its startorder.dev/spec annotation, if any. */
function annotationSpec(w: Workload, defaults: SpecDefaults, locate: Locator): { spec?: Spec; diagnostics: Diagnostic[] } {
  const path = [...w.path, ...w.metadataPath, 'annotations', SPEC_ANNOTATION];
  const text = getIn(w.value, [...w.metadataPath, 'annotations', SPEC_ANNOTATION]);
  if (text === undefined) return { diagnostics: [] };
  const base = { file: w.file, document: w.document, path, workload: workloadId(w), ...locate(w.file, w.document, path) };
  let raw: unknown;
  try {
    raw = typeof text === 'string' ? parseYaml(text, { version: '1.1', maxAliasCount: 100 }) : text;
  } catch (e) {
    return {
      diagnostics: [
        {
          ...base,
          code: 'spec-annotation-invalid',
          severity: 'error',
          message: `annotation ${SPEC_ANNOTATION} is not YAML or JSON: ${(e as Error).message.split('\n')[0]}`,
          hint: 'Write the spec (without selector) as YAML or JSON in the annotation.',
        },
      ],
    };
  }
  const problems = validateAnnotationSpec(raw);
  if (problems.length > 0) {
    return {
      diagnostics: problems.map((p) => ({
        ...base,
        ...locate(w.file, w.document, [...path, ...p.path]),
        code: 'spec-annotation-invalid' as const,
        severity: 'error' as const,
        message: `annotation ${SPEC_ANNOTATION}: ${p.path.length ? `${p.path.join('.')} ` : ''}${p.message}`,
        hint: 'Correct the spec in the annotation; its schema is schemas/startorder.schema.json#/definitions/specInAnnotation.',
      })),
    };
  }
  const spec = normalizeSpec(
    raw as Obj,
    {
      name: `${workloadId(w)} annotation`,
      origin: `annotation ${SPEC_ANNOTATION} of ${workloadId(w)}`,
      file: w.file,
      document: w.document,
      fromAnnotation: true,
    },
    defaults,
  );
  return { spec, diagnostics: [] };
}

/** Containers of a pod-like template anywhere in a resource (a Knative Service's spec.template.spec). */
function podLikeContainers(v: unknown, depth = 0): Set<string> | undefined {
  if (depth > 6 || v === null || typeof v !== 'object') return undefined;
  if (isObj(v) && Array.isArray(v.containers) && v.containers.every((c) => isObj(c) && typeof c.name === 'string')) return containerNames(v);
  for (const x of Object.values(v as Obj)) {
    const found = podLikeContainers(x, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * A spec that names a resource startorder does not rewrite (a Knative Service, an Argo Workflow, a
 * Tekton TaskRun): by a name in its selector, or, without a selector, by the containers of a pod-like
 * template in it. An error at the name in the spec, for each such resource.
 */
function notWorkloads(spec: Spec, others: readonly Resource[], locate: Locator): Diagnostic[] {
  if (spec.fromAnnotation) return [];
  const s = spec.selector;
  const out: Diagnostic[] = [];
  for (const r of others) {
    if (isWorkloadKind(r.kind) || r.kind === SPEC_KIND) continue;
    let path: (string | number)[] | undefined;
    if (s?.names) {
      if (s.kinds) continue;
      const id = identitiesOf(r).find((i) => i.name !== undefined && s.names!.includes(i.name) && (!s.namespaces || s.namespaces.includes(i.namespace)));
      if (!id) continue;
      path = ['spec', 'selector', 'names', s.names.indexOf(id.name!)];
    } else if (!s) {
      const names = podLikeContainers(r.value);
      if (!names || !hasAllNamed(spec, names)) continue;
      path = ['spec', 'containers'];
    } else continue;
    out.push({
      code: 'not-a-workload',
      severity: 'error',
      message: `${spec.origin} names ${workloadId(r)}: kind ${r.kind}${r.apiVersion ? ` (${r.apiVersion})` : ''} is not a workload startorder rewrites; it rewrites: ${WORKLOAD_KINDS.join(', ')}`,
      hint: `Order the containers of the ${WORKLOAD_KINDS.join('/')} it creates, or remove it from the spec's selector.`,
      ...(spec.file !== undefined ? { file: spec.file } : {}),
      ...(spec.document !== undefined ? { document: spec.document } : {}),
      path,
      ...locate(spec.file, spec.document, path),
    });
  }
  return out;
}

/** Two specs select one workload: an error at the workload that names both. */
function ambiguous(w: Workload, chosen: readonly Spec[], locate: Locator): Diagnostic {
  return {
    code: 'spec-ambiguous',
    severity: 'error',
    message: `${chosen.length} specs select this workload: ${chosen.map((s) => s.origin).join(' and ')}`,
    hint: 'Narrow the selectors (kinds, names, namespaces, matchLabels) so that one spec selects each workload.',
    file: w.file,
    document: w.document,
    path: w.path,
    workload: workloadId(w),
    ...locate(w.file, w.document, w.path),
  };
}

/**
 * A spec that selects no workload: a warning at its selector (or containers). Said the same way
 * whatever the input holds: a stream processed in parts (pipeline/parts.ts) reports it only when every part said it.
 */
function selectsNothing(s: Spec, locate: Locator): Diagnostic {
  const path = s.selector ? ['spec', 'selector'] : ['spec', 'containers'];
  return {
    code: 'spec-selects-nothing',
    severity: 'warning',
    message: `${s.origin} selects no workload in the input`,
    hint: s.selector
      ? 'Check the selector against the workloads’ kind, name, namespace and labels.'
      : 'Without a selector a spec selects the workloads that have every container it names; check the names.',
    ...(s.file !== undefined ? { file: s.file } : {}),
    ...(s.document !== undefined ? { document: s.document } : {}),
    path,
    ...locate(s.file, s.document, path),
  };
}

/**
 * Pairs every workload with the one spec that selects it. Two specs for one workload is an error that
 * names both; a spec that selects nothing is a warning. `others`: the resources of the input that
 * are not workloads, so a spec that names one of them says so.
 */
export function select(
  workloads: readonly { workload: Workload; original: Obj }[],
  specs: readonly Spec[],
  defaults: SpecDefaults,
  locate: Locator,
  others: readonly Resource[] = [],
): { selections: Selection[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const selections: Selection[] = [];
  const used = new Set<Spec>();
  for (const { workload: w, original } of workloads) {
    const podSpec = getIn(original, w.podSpecPath) as Obj;
    const fromAnnotation = annotationSpec({ ...w, value: original }, defaults, locate);
    diagnostics.push(...fromAnnotation.diagnostics);
    const matching = specs.filter((s) => matches(s, w, podSpec));
    for (const s of matching) used.add(s);
    const chosen = [...(fromAnnotation.spec ? [fromAnnotation.spec] : []), ...matching];
    if (chosen.length > 1) diagnostics.push(ambiguous(w, chosen, locate));
    else if (chosen[0]) selections.push({ workload: w, spec: chosen[0] });
  }
  for (const s of specs) {
    if (used.has(s)) continue;
    const named = notWorkloads(s, others, locate);
    diagnostics.push(...(named.length > 0 ? named : [selectsNothing(s, locate)]));
  }
  return { selections, diagnostics };
}
