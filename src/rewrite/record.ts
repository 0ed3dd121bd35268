import { parseDocument } from 'yaml';
import type { Plan, Mechanism } from '../plan/plan.js';
import { CONTAINER_LISTS, containerNames, containersOf, type ContainerList, type Obj } from '../kube/index.js';
import type { Condition } from '../types.js';
import { deepEqual as same } from '../equal.js';

/**
 * What startorder did to a pod template, kept in the annotation startorder.dev/applied so that
 * `revert` restores the original and `graph` can draw the order from the output alone. It records
 * only what changed, so the annotation stays small.
 */
export interface AppliedRecord {
  v: 2;
  /** [dependency, dependent, condition, mechanism] */
  edges: [string, string, Condition, Mechanism][];
  /**
   * Containers that were changed or moved: where they stood, their original keys in order, and the
   * original value of every field startorder set or added (a key absent from `keys` was added).
   */
  containers: { name: string; list: ContainerList; index: number; keys: string[]; fields: Record<string, unknown> }[];
  /** Names of what was added. */
  initContainers: string[];
  volumes: string[];
  /** Keys that did not exist before: initContainers, volumes, metadata, annotations. */
  created: string[];
  /**
   * The user's own text of what the transform replaced instead of extending, by `container/path`:
   * the command and args of wrapped containers, and aliases inside containers. revert writes these
   * bytes back where the value is the original again. Absent when empty.
   */
  src?: Record<string, string>;
}

const FROM_SRC = '=src';

/** The value of a recorded source text (a block list below its key parses on its own, indented). */
function srcValue(text: string): unknown {
  const doc = parseDocument(text, { version: '1.1' });
  if (doc.errors.length > 0) return undefined;
  try {
    return doc.toJS({ maxAliasCount: 1000 }) as unknown;
  } catch {
    return undefined; // an alias (`*cmd`): its value is not in the text
  }
}

export function makeRecord(plan: Plan, before: Obj, after: Obj, volumes: string[], initContainers: string[], src: Record<string, string> = {}): AppliedRecord {
  const changed: AppliedRecord['containers'] = [];
  const afterAll = containersOf(after).map(({ container }) => container);
  for (const { list, index, container: c } of containersOf(before)) {
    const now = afterAll.find((x) => x.name === c.name) ?? {};
    const movedFrom = list === 'containers' && !(after.containers as Obj[]).some((x) => x.name === c.name);
    const fields: Record<string, unknown> = {};
    for (const k of new Set([...Object.keys(c), ...Object.keys(now)])) if (!same(c[k], now[k])) fields[k] = k in c ? c[k] : null;
    if (movedFrom || Object.keys(fields).length > 0) changed.push({ name: String(c.name), list, index, keys: Object.keys(c), fields });
  }
  const created: string[] = [];
  if (before.initContainers === undefined && after.initContainers !== undefined) created.push('initContainers');
  if (before.volumes === undefined && after.volumes !== undefined) created.push('volumes');
  // A value whose source text is kept in `src` is not kept twice: its field says "=src" and the
  // value is read back from the text (a large inline script would otherwise fill the annotation).
  for (const c of changed) {
    for (const k of ['command', 'args', 'startupProbe']) {
      const text = src[`${c.name}/${k}`];
      // the text is the source of the very node that held this value: only an alias (`*cmd`) does
      // not carry its value in itself
      if (text !== undefined && k in c.fields && c.fields[k] !== null && !/^\s*\*/.test(text)) c.fields[k] = FROM_SRC;
    }
  }
  return {
    v: 2,
    edges: plan.edges.map((e) => [e.dep, e.dependent, e.condition, e.mechanism]),
    containers: changed,
    initContainers,
    volumes,
    created,
    ...(Object.keys(src).length > 0 ? { src } : {}),
  };
}

/**
 * The original container, from the one in the output and what the record kept of it. Keys the user
 * added since (`resources:`, a first `env:`), and a key startorder added that now holds the user's
 * own entries too (`volumeMounts:` with a mount of theirs), are kept where they stand now; a key the
 * user removed stays removed; the original keys keep their order.
 */
export function originalContainer(current: Obj, rec: AppliedRecord['containers'][number]): Obj {
  const original = (k: string) => rec.keys.indexOf(k);
  const pending = rec.keys.filter((k) => !(k in current) && k in rec.fields);
  const order: string[] = [];
  for (const k of Object.keys(current)) {
    // an original key startorder took away goes back before the first original key that follows it
    if (original(k) >= 0) while (pending.length > 0 && original(pending[0]!) < original(k)) order.push(pending.shift()!);
    if (original(k) >= 0 || !(k in rec.fields) || rec.fields[k] !== null) order.push(k);
  }
  order.push(...pending);
  return Object.fromEntries(order.map((k) => [k, k in rec.fields ? rec.fields[k] : current[k]]));
}

export function parseRecord(text: unknown): AppliedRecord | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const r = JSON.parse(text) as AppliedRecord;
    if (r.v !== 2 || !Array.isArray(r.containers) || !Array.isArray(r.edges)) return undefined;
    if (r.src !== undefined && (typeof r.src !== 'object' || r.src === null || Object.values(r.src).some((t) => typeof t !== 'string'))) return undefined;
    for (const c of r.containers) {
      if (typeof c !== 'object' || c === null || typeof c.fields !== 'object' || c.fields === null) continue;
      for (const [k, v] of Object.entries(c.fields)) {
        if (v !== FROM_SRC) continue;
        const text = r.src?.[`${c.name}/${k}`];
        const value = text === undefined ? undefined : srcValue(text);
        if (value === undefined) return undefined;
        c.fields[k] = value;
      }
    }
    return r;
  } catch {
    return undefined;
  }
}

/**
 * Whether a record (possibly edited by hand) has the shape startorder writes and fits the pod it sits
 * on; the reason when it does not. revert trusts nothing else.
 */
export function recordProblem(r: AppliedRecord, podSpec: Obj): string | undefined {
  const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (!strings(r.initContainers) || !strings(r.volumes) || !strings(r.created)) return 'initContainers, volumes and created must be lists of names';
  if (!r.edges.every((e) => Array.isArray(e) && e.length === 4 && e.every((x) => typeof x === 'string')))
    return 'an edge is not [dependency, dependent, condition, mechanism]';
  const names = containerNames(podSpec);
  const count = CONTAINER_LISTS.reduce((n, l) => n + (Array.isArray(podSpec[l]) ? (podSpec[l] as unknown[]).length : 0), 0);
  for (const c of r.containers) {
    if (typeof c !== 'object' || c === null || typeof c.name !== 'string') return 'a container entry has no name';
    if (c.list !== 'containers' && c.list !== 'initContainers') return `container "${c.name}": list must be containers or initContainers`;
    if (!Number.isInteger(c.index) || c.index < 0 || c.index > count) return `container "${c.name}": index ${String(c.index)} does not fit the pod`;
    if (!strings(c.keys) || typeof c.fields !== 'object' || c.fields === null || Array.isArray(c.fields))
      return `container "${c.name}": keys must be a list of names and fields an object`;
    if (!names.has(c.name)) return `container "${c.name}" is not in the pod`;
  }
  return undefined;
}
