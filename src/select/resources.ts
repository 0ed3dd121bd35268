import type { SourceFile } from '../load/parse.js';
import { getIn, isObj, isWorkloadKind, podPaths, type Obj } from '../kube/index.js';
import type { Resource, Workload } from '../types.js';

export { getIn, isWorkloadKind } from '../kube/index.js';

function toResource(file: string, document: number, path: (string | number)[], value: Obj): Resource {
  const meta = isObj(value.metadata) ? value.metadata : {};
  return {
    file,
    document,
    path,
    value,
    kind: typeof value.kind === 'string' ? value.kind : '',
    ...(typeof value.apiVersion === 'string' ? { apiVersion: value.apiVersion } : {}),
    ...(typeof meta.name === 'string' ? { name: meta.name } : {}),
    ...(typeof meta.namespace === 'string' ? { namespace: meta.namespace } : {}),
  };
}

/** Every Kubernetes object of the input: top-level documents and the items of `kind: List`. */
export function resourcesOf(files: readonly SourceFile[]): Resource[] {
  const out: Resource[] = [];
  for (const f of files) {
    for (const d of f.docs) {
      if (!isObj(d.value)) continue;
      if (typeof d.value.kind === 'string' && /List$/.test(d.value.kind) && Array.isArray(d.value.items)) {
        d.value.items.forEach((item, i) => {
          if (isObj(item)) out.push(toResource(f.name, d.index, ['items', i], item));
        });
      } else {
        out.push(toResource(f.name, d.index, [], d.value));
      }
    }
  }
  return out;
}

/** A resource whose kind carries a pod template, with a pod spec that has containers. */
export function asWorkload(r: Resource): Workload | undefined {
  if (!isWorkloadKind(r.kind)) return undefined;
  const paths = podPaths(r.kind);
  const spec = getIn(r.value, paths.spec);
  if (!isObj(spec) || !Array.isArray(spec.containers)) return undefined;
  return { ...r, kind: r.kind, metadataPath: [...paths.metadata], podSpecPath: [...paths.spec] };
}
