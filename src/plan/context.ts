/** What every step of planning a workload reads, and where its diagnostics point. */
import type { Diagnostic } from '../diagnostics.js';
import { containersOf, resourceRef, SPEC_ANNOTATION, workloadId, type ContainerList, type Obj } from '../kube/index.js';
import type { Locator } from '../load/locate.js';
import type { ContainerOrder, Spec, Workload } from '../types.js';

/** A container of the pod: its value, and where it is. */
export interface Member {
  c: Obj;
  list: ContainerList;
  index: number;
}

export interface PlanContext {
  w: Workload;
  podSpec: Obj;
  spec: Spec;
  locate: Locator;
  diags: Diagnostic[];
  /** The pod's containers by name, init containers first (the first of two with one name). */
  byName: Map<string, Member>;
  /** The spec's entry of each container it names. */
  entryOf: Map<string, ContainerOrder>;
}

type At = Partial<Diagnostic>;

/** A place in the pod spec: `list[i]` and below. */
export function atPod(cx: PlanContext, list: ContainerList, i: number, ...rest: (string | number)[]): At {
  const { w, locate } = cx;
  const path = [...w.path, ...w.podSpecPath, list, i, ...rest];
  return { file: w.file, document: w.document, path, ...locate(w.file, w.document, path) };
}

/** A place in the spec's entry `ci` (or the workload, for a spec from its annotation). */
export function specAt(cx: PlanContext, ci: number, ...rest: (string | number)[]): At {
  const { w, spec, locate } = cx;
  if (spec.fromAnnotation) {
    // inside the annotation's text when it is a block (`startorder.dev/spec: |`), else at the annotation
    const path = [...w.path, ...w.metadataPath, 'annotations', SPEC_ANNOTATION, 'containers', ci, ...rest];
    return { file: w.file, document: w.document, ...locate(w.file, w.document, path) };
  }
  if (spec.file === undefined) return { file: w.file, document: w.document };
  const path = ['spec', 'containers', ci, ...rest];
  return { file: spec.file, ...(spec.document !== undefined ? { document: spec.document } : {}), path, ...locate(spec.file, spec.document, path) };
}

/** A field of the spec itself (the first of `keys` that is written: mode, kubernetesVersion), or the annotation that carries it. */
export function specField(cx: PlanContext, ...keys: string[]): At {
  const { w, spec, locate } = cx;
  if (spec.fromAnnotation || spec.file === undefined) {
    const path = [...w.path, ...w.metadataPath, 'annotations', SPEC_ANNOTATION];
    return { file: w.file, document: w.document, path, ...locate(w.file, w.document, path) };
  }
  const at = (path: string[]) => JSON.stringify(locate(spec.file, spec.document, path));
  const key = keys.find((k) => at(['spec', k]) !== at(['spec'])) ?? keys[keys.length - 1]!;
  const path = ['spec', key];
  return { file: spec.file, ...(spec.document !== undefined ? { document: spec.document } : {}), path, ...locate(spec.file, spec.document, path) };
}

/** Reports an error of this workload. */
export function error(cx: PlanContext, code: Diagnostic['code'], message: string, hint: string, at: At, container?: string): void {
  cx.diags.push({
    code,
    severity: 'error',
    message,
    hint,
    workload: workloadId(cx.w),
    ...(container ? { container } : {}),
    ...at,
    resource: resourceRef(cx.w),
  });
}

/** The context of one workload; two containers of one name are an error at the second. */
export function planContext(w: Workload, podSpec: Obj, spec: Spec, locate: Locator): PlanContext {
  const cx: PlanContext = { w, podSpec, spec, locate, diags: [], byName: new Map(), entryOf: new Map(spec.containers.map((c) => [c.name, c])) };
  for (const { list, index, container: c } of containersOf(podSpec)) {
    const name = String(c.name);
    if (cx.byName.has(name))
      error(
        cx,
        'duplicate-container',
        `two containers are named "${name}"`,
        'Give every container and init container of the pod a unique name.',
        atPod(cx, list, index, 'name'),
        name,
      );
    else cx.byName.set(name, { c, list, index });
  }
  return cx;
}
