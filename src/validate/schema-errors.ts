/** ajv's errors as problems a person can act on: one describer for the StartOrder and the PodSpec schemas. */
import type { ErrorObject } from 'ajv';
import { splitPointer } from '../kube/index.js';

export interface SchemaProblem {
  path: (string | number)[];
  message: string;
}

/**
 * A schema's own wording for an error: a message, `null` to leave the error out (another one says it
 * better), or undefined for the common wording.
 */
export type Wording = (error: ErrorObject, errors: readonly ErrorObject[]) => string | null | undefined;

/**
 * Optional fields accept null (`{anyOf: [{type: null}, {$ref}]}`, or `type: [..., "null"]`): for a
 * wrong value ajv also reports the null branch and the anyOf itself; the $ref branch says it better.
 */
function isNullBranch(e: ErrorObject): boolean {
  return e.keyword === 'anyOf' || (e.keyword === 'type' && (e.params as { type?: unknown }).type === 'null');
}

/** A oneOf whose branches reported errors deeper down: those say what is wrong. */
function hasDeeper(e: ErrorObject, errors: readonly ErrorObject[]): boolean {
  return errors.some((x) => x.instancePath !== e.instancePath && x.instancePath.startsWith(e.instancePath));
}

function commonMessage(e: ErrorObject, errors: readonly ErrorObject[]): string | null {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown field ${JSON.stringify(String(params['additionalProperty']))}`;
    case 'required':
      return `missing required field ${JSON.stringify(String(params['missingProperty']))}`;
    case 'type': {
      const type = params['type'];
      const types = (Array.isArray(type) ? type.map(String) : String(type).split(',')).filter((t) => t !== 'null');
      return `must be ${types.join(' or ')}`;
    }
    case 'enum': {
      const allowed = (Array.isArray(params['allowedValues']) ? params['allowedValues'] : []).filter((v) => v !== null);
      return `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
    }
    case 'const':
      return `must be ${JSON.stringify(params['allowedValue'])}`;
    case 'oneOf':
      return hasDeeper(e, errors) ? null : 'is not any of the allowed forms';
    default:
      return e.message ?? `fails ${e.keyword}`;
  }
}

/**
 * The problems of a value that failed a schema, each at the path of the data it is about (an unknown
 * field's path ends in the field), in ajv's order, without repeats. `data` is the validated value:
 * it tells list indexes from map keys that look like numbers.
 */
export function describeErrors(errors: readonly ErrorObject[], data: unknown, wording?: Wording): SchemaProblem[] {
  const out = new Map<string, SchemaProblem>();
  for (const e of errors) {
    if (isNullBranch(e)) continue;
    const own = wording?.(e, errors);
    const message = own === undefined ? commonMessage(e, errors) : own;
    if (message === null) continue;
    const path = splitPointer(e.instancePath, data);
    if (e.keyword === 'additionalProperties') path.push(String((e.params as Record<string, unknown>)['additionalProperty']));
    const key = `${JSON.stringify(path)}|${message}`;
    if (!out.has(key)) out.set(key, { path, message });
  }
  return [...out.values()];
}
