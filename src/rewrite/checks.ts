/** What stops a rewrite before it starts: names startorder needs that are taken, words that are not strings. */
import type { Diagnostic } from '../diagnostics.js';
import { containersOf, resourceRef, workloadId, type Obj } from '../kube/index.js';
import type { Locator } from '../load/locate.js';
import type { Plan } from '../plan/plan.js';
import * as N from './names.js';

type At = (...rest: (string | number)[]) => Pick<Diagnostic, 'file' | 'document' | 'path' | 'line' | 'column' | 'workload' | 'resource'>;

/** Where a diagnostic about a place in the workload's pod spec points. */
function podSpecAt(plan: Plan, locate: Locator): At {
  const w = plan.workload;
  return (...rest) => {
    const path = [...w.path, ...w.podSpecPath, ...rest];
    return { file: w.file, document: w.document, path, ...locate(w.file, w.document, path), workload: workloadId(w), resource: resourceRef(w) };
  };
}

/** A mount at /startorder or below it (a mount at / is the user's business). */
function mountsOurs(m: Obj): boolean {
  const p = typeof m.mountPath === 'string' ? m.mountPath : '';
  return p === '/startorder' || p.startsWith('/startorder/');
}

/** Our names must not be taken already: a clash is an error, never a silent overwrite. */
export function clashes(plan: Plan, podSpec: Obj, locate: Locator): Diagnostic[] {
  const at = podSpecAt(plan, locate);
  const out: Diagnostic[] = [];
  (Array.isArray(podSpec.volumes) ? (podSpec.volumes as Obj[]) : []).forEach((v, i) => {
    if (N.OUR_VOLUMES.includes(String(v.name)))
      out.push({
        ...at('volumes', i, 'name'),
        code: 'name-clash',
        severity: 'error',
        message: `the pod already has a volume named "${String(v.name)}", a name startorder uses`,
        hint: 'Rename that volume (and its mounts).',
      });
  });
  for (const { list, index: i, container: c } of containersOf(podSpec)) {
    if (c.name === N.INIT_CONTAINER)
      out.push({
        ...at(list, i, 'name'),
        code: 'name-clash',
        severity: 'error',
        container: N.INIT_CONTAINER,
        message: `the pod already has a container named "${N.INIT_CONTAINER}", a name startorder uses`,
        hint: 'Rename that container.',
      });
    (Array.isArray(c.volumeMounts) ? (c.volumeMounts as Obj[]) : []).forEach((m, j) => {
      if (!mountsOurs(m)) return;
      out.push({
        ...at(list, i, 'volumeMounts', j, 'mountPath'),
        code: 'mount-clash',
        severity: 'error',
        container: String(c.name),
        message: `container "${String(c.name)}" mounts something at ${String(m.mountPath)}, where startorder mounts its own volumes`,
        hint: 'Mount it somewhere outside /startorder.',
      });
    });
  }
  return out;
}

/**
 * A word of `command`/`args` that YAML reads as a number, a boolean or null cannot move behind the
 * wrapper as it is (the apiserver would take it, the app would start without it): quoting it is the
 * user's call, so it is a located error with the fix.
 */
export function nonStringWords(plan: Plan, podSpec: Obj, locate: Locator): Diagnostic[] {
  const at = podSpecAt(plan, locate);
  const out: Diagnostic[] = [];
  for (const { list, index: i, container: c } of containersOf(podSpec)) {
    if (!plan.wrapped.some((x) => x.name === c.name)) continue;
    for (const key of ['command', 'args']) {
      const words = c[key];
      if (!Array.isArray(words)) continue;
      words.forEach((word, j) => {
        if (typeof word === 'string') return;
        const shown = word === null ? 'null' : typeof word === 'object' ? JSON.stringify(word) : String(word);
        out.push({
          code: 'non-string-word',
          severity: 'error',
          ...at(list, i, key, j),
          container: String(c.name),
          message: `word ${j + 1} of ${key} of container "${String(c.name)}" is read as ${word === null ? 'null' : typeof word} ${shown}, not as a string`,
          hint: typeof word === 'boolean' || word === null ? 'Quote it as it is written, e.g. "yes" or "on", so it stays a string.' : `Quote it: "${shown}".`,
        });
      });
    }
  }
  return out;
}
