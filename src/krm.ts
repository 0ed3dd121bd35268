import { parseDocument } from 'yaml';
import type { Diagnostic } from './diagnostics.js';
import { pathToString } from './diagnostics.js';
import { restoreLines } from './emit/restore.js';
import { PARSE_OPTIONS } from './load/parse.js';
import { isStartOrder } from './spec/collect.js';
import { isObj, type Obj } from './types.js';
import type { Options } from './pipeline.js';

/** kpt sends this ConfigMap when the function is invoked without a functionConfig of its own. */
export const KPT_FUNCTION_INPUT = 'function-input';

export function isResourceList(v: unknown): v is Obj {
  return isObj(v) && v.kind === 'ResourceList' && typeof v.apiVersion === 'string' && v.apiVersion.startsWith('config.kubernetes.io/');
}

/** The spec carried by a functionConfig: a StartOrder, or a ConfigMap whose data.spec holds one. */
export function specFromFunctionConfig(fc: unknown, file: string): { specObjects: NonNullable<Options['specObjects']>; diagnostics: Diagnostic[] } {
  if (fc === undefined || fc === null) return { specObjects: [], diagnostics: [] };
  if (isStartOrder(fc)) return { specObjects: [{ value: fc, file, document: 0, path: ['functionConfig'] }], diagnostics: [] };
  if (isObj(fc) && fc.kind === 'ConfigMap' && isObj(fc.data)) {
    const data = fc.data;
    if (typeof data.spec === 'string') {
      const spec = parseDocument(data.spec, PARSE_OPTIONS).toJS() as unknown;
      const value: Obj = { apiVersion: 'startorder.dev/v1alpha1', kind: 'StartOrder', metadata: { name: isObj(fc.metadata) ? String(fc.metadata.name ?? KPT_FUNCTION_INPUT) : KPT_FUNCTION_INPUT }, spec };
      return { specObjects: [{ value, file, document: 0, path: ['functionConfig', 'data', 'spec'] }], diagnostics: [] };
    }
    if (Object.keys(data).length === 0) return { specObjects: [], diagnostics: [] };
  }
  return {
    specObjects: [],
    diagnostics: [{ code: 'function-config-invalid', severity: 'error', file, document: 0, path: ['functionConfig'], message: `functionConfig must be a StartOrder (apiVersion startorder.dev/v1alpha1), or a ConfigMap with the spec as YAML in data.spec; got ${isObj(fc) ? `${String(fc.apiVersion)}/${String(fc.kind)}` : typeof fc}`, hint: 'Point the function at a StartOrder resource as its functionConfig.' }],
  };
}

/** KRM results: severity, message, resourceRef, field, file — one per diagnostic. */
export function toResults(diags: readonly Diagnostic[], items: readonly unknown[]): Obj[] {
  return diags.map((d) => {
    const r: Obj = { message: d.hint ? `${d.message}. Fix: ${d.hint}` : d.message, severity: d.severity };
    let path = d.path ?? [];
    if (path[0] === 'items' && typeof path[1] === 'number') {
      const item = items[path[1]];
      const meta = isObj(item) && isObj(item.metadata) ? item.metadata : {};
      const ann = isObj(meta.annotations) ? meta.annotations : {};
      if (isObj(item)) r.resourceRef = { apiVersion: item.apiVersion, kind: item.kind, name: meta.name, ...(meta.namespace ? { namespace: meta.namespace } : {}) };
      const file = ann['internal.config.kubernetes.io/path'] ?? ann['config.kubernetes.io/path'];
      const index = ann['internal.config.kubernetes.io/index'] ?? ann['config.kubernetes.io/index'];
      if (typeof file === 'string') r.file = { path: file, ...(index !== undefined ? { index: Number(index) } : {}) };
      path = path.slice(2);
    } else if (d.resource) r.resourceRef = d.resource;
    if (path.length > 0) r.field = { path: pathToString(path) };
    if (d.code) r.tags = { code: d.code, ...(d.container ? { container: d.container } : {}) };
    return r;
  });
}

/** Adds (or replaces) `results` on the ResourceList text, keeping the rest of its bytes. */
export function withResults(text: string, results: readonly Obj[]): string {
  const doc = parseDocument(text, PARSE_OPTIONS);
  if (results.length === 0 && !doc.has('results')) return text;
  if (results.length === 0) doc.delete('results');
  else doc.set('results', doc.createNode(results));
  return restoreLines(text, doc.toString({ lineWidth: 0 }));
}
