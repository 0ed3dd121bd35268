import { parse as parseYaml } from 'yaml';
import type { Diagnostic } from '../diagnostics.js';
import type { Locator } from '../load/locate.js';
import { normalizeSpec, type SpecDefaults } from '../spec/normalize.js';
import { validateAnnotationSpec } from '../spec/schema.js';
import { isObj, workloadId, type Obj, type Spec, type Workload } from '../types.js';
import { getIn } from './resources.js';

export const SPEC_ANNOTATION = 'startorder.dev/spec';

export interface Selection {
  workload: Workload;
  spec: Spec;
}

function containerNames(podSpec: Obj): Set<string> {
  const names = new Set<string>();
  for (const key of ['containers', 'initContainers']) {
    const list = podSpec[key];
    if (Array.isArray(list)) for (const c of list) if (isObj(c) && typeof c.name === 'string') names.add(c.name);
  }
  return names;
}

function matches(spec: Spec, w: Workload, podSpec: Obj): boolean {
  const s = spec.selector;
  if (!s) {
    const names = containerNames(podSpec);
    return spec.containers.every((c) => names.has(c.name));
  }
  if (s.kinds && !s.kinds.includes(w.kind)) return false;
  if (s.names && (w.name === undefined || !s.names.includes(w.name))) return false;
  if (s.namespaces && !s.namespaces.includes(w.namespace ?? 'default')) return false;
  if (s.matchLabels) {
    const labels = getIn(w.value, ['metadata', 'labels']);
    for (const [k, v] of Object.entries(s.matchLabels)) if (!isObj(labels) || labels[k] !== v) return false;
  }
  return true;
}

/** The spec a pod template carries in its startorder.dev/spec annotation, if any. */
export function annotationSpec(w: Workload, defaults: SpecDefaults, locate: Locator): { spec?: Spec; diagnostics: Diagnostic[] } {
  const path = [...w.path, ...w.metadataPath, 'annotations', SPEC_ANNOTATION];
  const text = getIn(w.value, [...w.metadataPath, 'annotations', SPEC_ANNOTATION]);
  if (text === undefined) return { diagnostics: [] };
  const base = { file: w.file, document: w.document, path, workload: workloadId(w), ...locate(w.file, w.document, path) };
  let raw: unknown;
  try {
    raw = typeof text === 'string' ? parseYaml(text, { version: '1.1', maxAliasCount: 100 }) : text;
  } catch (e) {
    return { diagnostics: [{ ...base, code: 'spec-annotation-invalid', severity: 'error', message: `annotation ${SPEC_ANNOTATION} is not YAML or JSON: ${(e as Error).message.split('\n')[0]}`, hint: 'Write the spec (without selector) as YAML or JSON in the annotation.' }] };
  }
  const problems = validateAnnotationSpec(raw);
  if (problems.length > 0) {
    return {
      diagnostics: problems.map((p) => ({ ...base, code: 'spec-annotation-invalid' as const, severity: 'error' as const, message: `annotation ${SPEC_ANNOTATION}: ${p.path.length ? `${p.path.join('.')} ` : ''}${p.message}`, hint: 'Correct the spec in the annotation; its schema is schemas/startorder.schema.json#/definitions/specInAnnotation.' })),
    };
  }
  const spec = normalizeSpec(raw as Obj, { name: `${workloadId(w)} annotation`, origin: `annotation ${SPEC_ANNOTATION} of ${workloadId(w)}`, file: w.file, document: w.document, fromAnnotation: true }, defaults);
  return { spec, diagnostics: [] };
}

/**
 * Pairs every workload with the one spec that selects it. Two specs for one workload is an error that
 * names both; a spec that selects nothing is a warning.
 */
export function select(
  workloads: readonly { workload: Workload; original: Obj }[],
  specs: readonly Spec[],
  defaults: SpecDefaults,
  locate: Locator,
): { selections: Selection[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const selections: Selection[] = [];
  const used = new Set<Spec>();
  for (const { workload: w, original } of workloads) {
    const podSpec = getIn(original, w.podSpecPath) as Obj;
    const chosen: Spec[] = [];
    const fromAnnotation = annotationSpec({ ...w, value: original }, defaults, locate);
    diagnostics.push(...fromAnnotation.diagnostics);
    if (fromAnnotation.spec) chosen.push(fromAnnotation.spec);
    for (const s of specs) {
      if (matches(s, w, podSpec)) {
        chosen.push(s);
        used.add(s);
      }
    }
    if (chosen.length > 1) {
      diagnostics.push({
        code: 'spec-ambiguous',
        severity: 'error',
        message: `${chosen.length} specs select this workload: ${chosen.map((s) => s.origin).join(' and ')}`,
        hint: 'Narrow the selectors (kinds, names, namespaces, matchLabels) so that one spec selects each workload.',
        file: w.file,
        document: w.document,
        path: w.path,
        workload: workloadId(w),
        ...locate(w.file, w.document, w.path),
      });
    } else if (chosen[0]) {
      selections.push({ workload: w, spec: chosen[0] });
    }
  }
  for (const s of specs) {
    if (!used.has(s)) {
      diagnostics.push({
        code: 'spec-selects-nothing',
        severity: 'warning',
        message: `${s.origin} selects no workload in the input`,
        hint: s.selector ? 'Check the selector against the workloads’ kind, name, namespace and labels.' : 'Without a selector a spec selects the workloads that have every container it names; check the names.',
        ...(s.file !== undefined ? { file: s.file } : {}),
        ...(s.document !== undefined ? { document: s.document } : {}),
      });
    }
  }
  return { selections, diagnostics };
}
