import type { Diagnostic } from '../diagnostics.js';
import type { Locator } from '../load/locate.js';
import type { Plan } from '../plan/plan.js';
import { conditionFile, parseWrapperArgs } from '../rewrite/flags.js';
import { runsWrapper } from '../rewrite/delivery.js';
import { GATE_FILE } from '../rewrite/names.js';
import { containersOf, getIn, resourceRef, workloadId, type Obj } from '../kube/index.js';
import { validatePodSpec } from './pod-schema.js';

/** The graph as the output itself states it: each wrapped container's waits (-wait_file and -wait_status), unescaped. */
export function waitsInOutput(podSpec: Obj): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { container: c } of containersOf(podSpec)) {
    if (!runsWrapper(c.command) || !Array.isArray(c.args)) continue;
    const parsed = parseWrapperArgs(c.args as string[]);
    const waits = (parsed?.all ?? []).filter(([k, v]) => (k === 'wait_file' || k === 'wait_status') && typeof v === 'string');
    out.set(
      String(c.name),
      waits.flatMap(([, v]) => String(v).replace(/\$\$/g, '$').split(',')),
    );
  }
  return out;
}

type Base = Pick<Diagnostic, 'file' | 'document' | 'workload' | 'resource'>;

/** The rewritten pod spec against the Kubernetes schema. */
function schemaProblems(plan: Plan, podSpec: Obj, base: Base, locate: Locator): Diagnostic[] {
  const w = plan.workload;
  return validatePodSpec(podSpec).map((issue) => {
    const path = [...w.path, ...w.podSpecPath, ...issue.path];
    return {
      ...base,
      code: 'schema-violation',
      severity: 'error',
      message: `the rewritten pod spec is not valid Kubernetes ${issue.path.join('.')}: ${issue.message}`,
      hint: 'The input pod spec probably has this problem already; fix it there (run `kubectl apply --dry-run=server` to confirm).',
      path,
      ...locate(w.file, w.document, path),
    };
  });
}

/** Container names unique, and no two mounts of one container at one path. */
function nameAndMountClashes(podSpec: Obj, base: Base): Diagnostic[] {
  const diags: Diagnostic[] = [];
  const names = new Set<string>();
  for (const { container: c } of containersOf(podSpec)) {
    const name = String(c.name);
    if (names.has(name))
      diags.push({
        ...base,
        code: 'duplicate-container',
        severity: 'error',
        container: name,
        message: `two containers named "${name}" after rewriting`,
        hint: 'Rename one of them.',
      });
    names.add(name);
    const paths = new Set<string>();
    for (const m of (c.volumeMounts as Obj[] | undefined) ?? []) {
      const p = String(m.mountPath);
      if (paths.has(p))
        diags.push({
          ...base,
          code: 'mount-clash',
          severity: 'error',
          container: name,
          message: `container "${name}" mounts two volumes at ${p}`,
          hint: 'Give each mount its own path.',
        });
      paths.add(p);
    }
  }
  return diags;
}

/** The dependencies each wrapped container of the output probes (`-wait_probe_*`: the name before `=`). */
function probesInOutput(podSpec: Obj): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { container: c } of containersOf(podSpec)) {
    if (!runsWrapper(c.command) || !Array.isArray(c.args)) continue;
    const probes = (parseWrapperArgs(c.args as string[])?.all ?? []).filter(([k, v]) => k.startsWith('wait_probe_') && typeof v === 'string');
    out.set(
      String(c.name),
      probes.map(([, v]) => String(v).split('=')[0]!),
    );
  }
  return out;
}

/** Every wrapper and probe edge and gate of the plan, as the output's own arguments state them. */
function graphProblems(plan: Plan, podSpec: Obj, base: Base): Diagnostic[] {
  const waits = waitsInOutput(podSpec);
  const probes = probesInOutput(podSpec);
  const bug = (container: string, message: string): Diagnostic => ({
    ...base,
    code: 'graph-not-preserved',
    severity: 'error',
    container,
    message,
    hint: 'This is a bug in startorder; please report it with the input.',
  });
  return [
    ...plan.edges
      .filter((e) => e.mechanism === 'wrapper' && !waits.get(e.dependent)?.includes(conditionFile(e.dep, e.condition)))
      .map((e) => bug(e.dependent, `internal: the edge ${e.dep} → ${e.dependent} (${e.condition}) is missing from the output`)),
    ...plan.edges
      .filter((e) => e.mechanism === 'probe' && !probes.get(e.dependent)?.includes(e.dep))
      .map((e) => bug(e.dependent, `internal: the probe of ${e.dep} by ${e.dependent} is missing from the output`)),
    ...plan.wrapped.filter((x) => x.gated && !waits.get(x.name)?.includes(GATE_FILE)).map((x) => bug(x.name, 'internal: the gate is missing from the output')),
  ];
}

/** Checks an emitted workload: Kubernetes schema, unique names, mount paths, and the planned graph. */
export function validateOutput(plan: Plan, value: Obj, locate: Locator): Diagnostic[] {
  const w = plan.workload;
  const podSpec = getIn(value, w.podSpecPath) as Obj;
  const base: Base = { file: w.file, document: w.document, workload: workloadId(w), resource: resourceRef(w) };
  return [...schemaProblems(plan, podSpec, base, locate), ...nameAndMountClashes(podSpec, base), ...graphProblems(plan, podSpec, base)];
}
