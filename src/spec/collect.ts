import type { Diagnostic } from '../diagnostics.js';
import type { Locator } from '../load/locate.js';
import type { SourceFile } from '../load/parse.js';
import { isObj, isStartOrder, SPEC_API_VERSION, SPEC_KIND, type Obj } from '../kube/index.js';
import type { Spec } from '../types.js';
import { normalizeSpec, type SpecDefaults } from './normalize.js';
import { validateStartOrderDocument } from './schema.js';

export { isStartOrder, KUBERNETES_VERSION, SPEC_API_VERSION, SPEC_KIND } from '../kube/index.js';

/**
 * A document that says `kind: StartOrder` without startorder's apiVersion (none, or another group's):
 * an error at its apiVersion, instead of passing it through as if it were some other resource.
 */
function foreignStartOrder(value: unknown, where: { file?: string; document?: number; path: (string | number)[] }, locate: Locator): Diagnostic | undefined {
  if (!isObj(value) || value.kind !== SPEC_KIND || isStartOrder(value)) return undefined;
  const v: Obj = value;
  const has = v.apiVersion !== undefined;
  const path = [...where.path, has ? 'apiVersion' : 'kind'];
  return {
    code: 'spec-api-version',
    severity: 'error',
    message: has
      ? `a StartOrder with apiVersion ${JSON.stringify(v.apiVersion)}: startorder reads apiVersion ${SPEC_API_VERSION}`
      : `a StartOrder without apiVersion: startorder reads apiVersion ${SPEC_API_VERSION}`,
    hint: `Set apiVersion: ${SPEC_API_VERSION}.`,
    ...(where.file !== undefined ? { file: where.file } : {}),
    ...(where.document !== undefined ? { document: where.document } : {}),
    path,
    ...locate(where.file, where.document, path),
  };
}

/** Validates one StartOrder object against the schema and normalises it. */
export function specFromObject(
  value: Obj,
  where: { file?: string; document?: number; path?: (string | number)[] },
  defaults: SpecDefaults,
  locate: Locator,
): { spec?: Spec; diagnostics: Diagnostic[] } {
  const meta = isObj(value.metadata) ? value.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '<unnamed>';
  // A functionConfig is named as such: its file is the ResourceList on stdin, which the user never saw.
  const from = where.path?.[0] === 'functionConfig' ? 'the functionConfig' : where.file;
  const origin = `StartOrder/${name}${from ? ` (${from})` : ''}`;
  const problems = validateStartOrderDocument(value);
  if (problems.length > 0) {
    return {
      diagnostics: problems.map((p) => {
        const path = [...(where.path ?? []), ...p.path];
        return {
          code: 'spec-invalid' as const,
          severity: 'error' as const,
          message: `${origin}: ${p.path.length ? `${p.path.join('.')} ` : ''}${p.message}`,
          hint: 'Correct the spec; its JSON Schema is schemas/startorder.schema.json.',
          ...(where.file !== undefined ? { file: where.file } : {}),
          ...(where.document !== undefined ? { document: where.document } : {}),
          path,
          ...locate(where.file, where.document, path),
        };
      }),
    };
  }
  const spec = normalizeSpec(
    value.spec as Obj,
    { name, origin, ...(where.file !== undefined ? { file: where.file } : {}), ...(where.document !== undefined ? { document: where.document } : {}) },
    defaults,
  );
  return { spec, diagnostics: [] };
}

/** StartOrder documents of config files, and of the input (which are then left out of the output). */
export function collectSpecs(
  files: readonly SourceFile[],
  defaults: SpecDefaults,
  locate: Locator,
): { specs: Spec[]; specDocs: Set<string>; diagnostics: Diagnostic[] } {
  const specs: Spec[] = [];
  const specDocs = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const f of files) {
    for (const d of f.docs) {
      const foreign = foreignStartOrder(d.value, { file: f.name, document: d.index, path: [] }, locate);
      if (foreign) diagnostics.push(foreign);
      if (!isStartOrder(d.value)) continue;
      specDocs.add(docKey(f.name, d.index));
      const r = specFromObject(d.value, { file: f.name, document: d.index, path: [] }, defaults, locate);
      diagnostics.push(...r.diagnostics);
      if (r.spec) specs.push(r.spec);
    }
  }
  return { specs, specDocs, diagnostics };
}

export function docKey(file: string, document: number): string {
  return `${file}#${document}`;
}
