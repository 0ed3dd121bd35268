/**
 * Kubernetes LabelSelector semantics (matchLabels + matchExpressions In/NotIn/Exists/DoesNotExist)
 * for a StartOrder's spec.selector against a pod's labels, and whether two selectors can select one
 * pod ("ambiguous overlap").
 */
import { isObj, type Obj } from '../kube/index.js';

export interface Requirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values: string[];
}

/** The requirements of a selector: every matchLabels entry is `key In [value]`. */
export function requirementsOf(selector: unknown): Requirement[] {
  if (!isObj(selector)) return [];
  const out: Requirement[] = [];
  if (isObj(selector.matchLabels)) for (const [key, v] of Object.entries(selector.matchLabels)) out.push({ key, operator: 'In', values: [String(v)] });
  if (Array.isArray(selector.matchExpressions)) {
    for (const e of selector.matchExpressions as Obj[]) {
      const values = Array.isArray(e.values) ? e.values.map(String) : [];
      out.push({ key: String(e.key), operator: e.operator as Requirement['operator'], values });
    }
  }
  return out;
}

function satisfies(r: Requirement, labels: Obj): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = has ? String(labels[r.key]) : undefined;
  switch (r.operator) {
    case 'In':
      return has && r.values.includes(value!);
    case 'NotIn':
      return !has || !r.values.includes(value!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      return false; // an operator the schema does not allow selects nothing
  }
}

/** Whether a selector selects a pod with these labels; no selector (or an empty one) selects every pod. */
export function selects(selector: unknown, labels: unknown): boolean {
  const l = isObj(labels) ? labels : {};
  return requirementsOf(selector).every((r) => satisfies(r, l));
}

/**
 * The values one key may take under some requirements, as a finite set (`only`) or all but a finite
 * set (`except`). `ABSENT` stands for "the pod has no such label".
 */
const ABSENT = '\u0000absent';
type Allowed = { only: Set<string> } | { except: Set<string> };

function allowedBy(r: Requirement): Allowed {
  switch (r.operator) {
    case 'In':
      return { only: new Set(r.values) };
    case 'NotIn':
      return { except: new Set(r.values) };
    case 'Exists':
      return { except: new Set([ABSENT]) };
    case 'DoesNotExist':
      return { only: new Set([ABSENT]) };
    default:
      return { only: new Set() };
  }
}

function intersect(a: Allowed, b: Allowed): Allowed {
  if ('only' in a && 'only' in b) return { only: new Set([...a.only].filter((v) => b.only.has(v))) };
  if ('only' in a && 'except' in b) return { only: new Set([...a.only].filter((v) => !b.except.has(v))) };
  if ('except' in a && 'only' in b) return intersect(b, a);
  return { except: new Set([...(a as { except: Set<string> }).except, ...(b as { except: Set<string> }).except]) };
}

/**
 * Whether some pod can carry labels that both selectors select. Label keys are independent, so the
 * two select a common pod unless, for some key, the requirements of both on that key together allow
 * no value (nor the label's absence): `app: a` against `app: b`, `tier In [x]` against
 * `tier NotIn [x]`, `debug Exists` against `debug DoesNotExist`. The key that rules an overlap out is
 * returned too, for the message.
 */
export function canOverlap(a: unknown, b: unknown): { overlap: true } | { overlap: false; key: string } {
  const byKey = new Map<string, Allowed>();
  for (const r of [...requirementsOf(a), ...requirementsOf(b)]) {
    const allowed = allowedBy(r);
    const before = byKey.get(r.key);
    byKey.set(r.key, before ? intersect(before, allowed) : allowed);
  }
  for (const [key, allowed] of byKey) if ('only' in allowed && allowed.only.size === 0) return { overlap: false, key };
  return { overlap: true };
}

/** The selector in words, for messages: `app=web,tier in (a,b)`, or "every pod" for none. */
export function describeSelector(selector: unknown): string {
  const rs = requirementsOf(selector);
  if (rs.length === 0) return 'every pod of the namespace';
  return rs
    .map((r) => {
      if (r.operator === 'Exists') return r.key;
      if (r.operator === 'DoesNotExist') return `!${r.key}`;
      if (r.operator === 'In' && r.values.length === 1) return `${r.key}=${r.values[0]}`;
      return `${r.key} ${r.operator.toLowerCase()} (${r.values.join(',')})`;
    })
    .join(',');
}
