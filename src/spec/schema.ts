/**
 * The JSON Schema schemas/startorder.schema.json is the one and only definition of a valid StartOrder;
 * scripts/build-validators.mjs compiles it ahead of time into src/generated/validators.js.
 */
import type { ErrorObject } from 'ajv';
import { validateSpecInAnnotation, validateStartOrder } from '../generated/validators.js';
import { SPEC_ANNOTATION } from '../kube/index.js';
import { describeErrors, type SchemaProblem } from '../validate/schema-errors.js';

/** The StartOrder schema's own sentences: for `ready`'s oneOf, a dependency's forms, and for a selector in the annotation. */
function wording(e: ErrorObject): string | null | undefined {
  const inReady = /\/ready$/.test(e.instancePath);
  const probe = /\/after\/\d+\/ready$/.test(e.instancePath);
  // The branches of ready's oneOf each say "missing file", "missing exec"…: one sentence says it better.
  if (inReady && e.keyword === 'required' && e.schemaPath.includes('/oneOf/')) return null;
  if (probe && e.keyword === 'oneOf') return 'needs exactly one of httpGet, tcpSocket, exec (how the dependency is probed)';
  if (inReady && e.keyword === 'oneOf') return 'needs exactly one of file, exec, httpGet, tcpSocket, self';
  // A dependency written as an object: its string branch ("must be string") says nothing useful.
  if (/\/after\/\d+$/.test(e.instancePath) && e.keyword === 'type' && e.schemaPath === '#/definitions/dnsLabel/type') return null;
  if (e.keyword === 'not') return `a spec in the ${SPEC_ANNOTATION} annotation selects its own workload: remove "selector"`;
  return undefined;
}

export function validateStartOrderDocument(value: unknown): SchemaProblem[] {
  return validateStartOrder(value) ? [] : describeErrors(validateStartOrder.errors ?? [], value, wording);
}

export function validateAnnotationSpec(value: unknown): SchemaProblem[] {
  return validateSpecInAnnotation(value) ? [] : describeErrors(validateSpecInAnnotation.errors ?? [], value, wording);
}
