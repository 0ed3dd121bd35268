import type { ErrorObject } from 'ajv';
import { validateSpecInAnnotation, validateStartOrder } from '../generated/validators.js';

/**
 * The JSON Schema schemas/startorder.schema.json is the one and only definition of a valid StartOrder;
 * scripts/build-validators.mjs compiles it ahead of time into src/generated/validators.js.
 */
function validators() {
  return { document: validateStartOrder, annotation: validateSpecInAnnotation };
}

export interface SchemaProblem {
  path: (string | number)[];
  message: string;
}

function splitPointer(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** ajv reports every branch of a oneOf; keep the errors a person can act on. */
function describe(errors: readonly ErrorObject[]): SchemaProblem[] {
  const out = new Map<string, SchemaProblem>();
  const deepest = new Set(errors.map((e) => e.instancePath));
  for (const e of errors) {
    const path = splitPointer(e.instancePath);
    const inReady = /\/ready$/.test(e.instancePath);
    // The branches of ready's oneOf each say "missing file", "missing exec"…: one sentence says it better.
    if (inReady && e.keyword === 'required' && e.schemaPath.includes('/oneOf/')) continue;
    let message: string;
    switch (e.keyword) {
      case 'additionalProperties':
        path.push(String(e.params.additionalProperty));
        message = `unknown field "${String(e.params.additionalProperty)}"`;
        break;
      case 'required':
        message = `missing required field "${String(e.params.missingProperty)}"`;
        break;
      case 'enum':
        message = `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
        break;
      case 'const':
        message = `must be ${JSON.stringify(e.params.allowedValue)}`;
        break;
      case 'oneOf':
        if (inReady) message = 'needs exactly one of file, exec, httpGet, tcpSocket, self';
        else if ([...deepest].some((p) => p !== e.instancePath && p.startsWith(e.instancePath))) continue;
        else message = 'is not any of the allowed forms';
        break;
      case 'not':
        message = 'a spec in the startorder.dev/spec annotation selects its own workload: remove "selector"';
        break;
      default:
        message = e.message ?? 'is invalid';
    }
    const key = `${path.join('/')}|${message}`;
    if (!out.has(key)) out.set(key, { path, message });
  }
  return [...out.values()];
}

export function validateStartOrderDocument(value: unknown): SchemaProblem[] {
  const v = validators().document;
  return v(value) ? [] : describe(v.errors ?? []);
}

export function validateAnnotationSpec(value: unknown): SchemaProblem[] {
  const v = validators().annotation;
  return v(value) ? [] : describe(v.errors ?? []);
}
