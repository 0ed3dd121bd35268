import type { SourceFile } from '../load/parse.js';
import type { Plan } from '../plan/plan.js';
import { deliveryInOutput, usesWrapperBinary } from '../rewrite/delivery.js';
import { recordOf } from '../rewrite/revert.js';
import { containerList, getIn, workloadId, type ContainerList, type Obj } from '../kube/index.js';
import { asWorkload, resourcesOf } from '../select/resources.js';
import type { Condition } from '../types.js';

/** One workload's order as drawn: nodes with their role, edges with condition and mechanism. */
export interface GraphView {
  workload: string;
  /** external: not in the pod (a probe edge's dependency, to be injected later, e.g. by a mesh). */
  nodes: { name: string; role: string; list: ContainerList; external?: true }[];
  edges: { dep: string; dependent: string; condition: Condition; mechanism: string }[];
  /** `image`: the wrapper comes from the runtime image mounted as a volume (runtime.delivery); absent: copied, or no wrapper. */
  delivery?: 'image';
}

const EXTERNAL = (name: string): GraphView['nodes'][number] => ({ name, role: 'not in the pod (injected)', list: 'containers', external: true });
/** The workload's title in a drawing, with the delivery when it is not the usual copy. */
const title = (v: GraphView) => (v.delivery === 'image' ? `${v.workload} · wrapper from image volume` : v.workload);

export function viewOf(plan: Plan): GraphView {
  const names = new Set(plan.edges.flatMap((e) => [e.dep, e.dependent]));
  for (const c of plan.spec.containers) names.add(c.name);
  const native = new Set(plan.native.map((n) => n.name));
  const external = new Set(plan.external);
  return {
    workload: workloadId(plan.workload, ''),
    nodes: [...names].map((name) =>
      external.has(name)
        ? EXTERNAL(name)
        : {
            name,
            role: plan.roles[name] ?? 'init container',
            list: native.has(name) || !(name in plan.roles) ? 'initContainers' : 'containers',
          },
    ),
    edges: plan.edges.map((e) => ({ dep: e.dep, dependent: e.dependent, condition: e.condition, mechanism: e.mechanism })),
    ...(plan.delivery === 'image' && usesWrapperBinary(plan) ? { delivery: 'image' as const } : {}),
  };
}

const id = (i: number, name: string) => `w${i}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;

export function mermaid(views: readonly GraphView[]): string {
  const out = ['flowchart LR'];
  views.forEach((v, i) => {
    out.push(`  subgraph w${i}["${title(v)}"]`);
    for (const n of v.nodes) {
      const label = `${n.name}<br/><small>${n.list === 'initContainers' ? `init · ${n.role}` : n.role}</small>`;
      // an injected container: a hexagon; an init container: a subroutine box
      const shape = n.external ? ['{{', '}}'] : n.list === 'initContainers' ? ['[[', ']]'] : ['[', ']'];
      out.push(`    ${id(i, n.name)}${shape[0]}"${label}"${shape[1]}`);
    }
    for (const e of v.edges) out.push(`    ${id(i, e.dep)} ${e.mechanism === 'probe' ? '-.->' : '-->'}|${e.condition} · ${e.mechanism}| ${id(i, e.dependent)}`);
    out.push('  end');
  });
  return `${out.join('\n')}\n`;
}

export function dot(views: readonly GraphView[]): string {
  const q = (s: string) => `"${s.replace(/"/g, '\\"')}"`;
  const out = ['digraph startorder {', '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];'];
  views.forEach((v, i) => {
    out.push(`  subgraph cluster_${i} {`, `    label=${q(title(v))};`);
    for (const n of v.nodes)
      out.push(
        `    ${q(`${i}/${n.name}`)} [label=${q(`${n.name}\\n${n.role}`)}${n.external ? ', style=dashed' : n.list === 'initContainers' ? ', style=rounded' : ''}];`,
      );
    for (const e of v.edges)
      out.push(
        `    ${q(`${i}/${e.dep}`)} -> ${q(`${i}/${e.dependent}`)} [label=${q(`${e.condition} (${e.mechanism})`)}${e.mechanism === 'wrapper' ? '' : ', style=dashed'}];`,
      );
    out.push('  }');
  });
  out.push('}');
  return `${out.join('\n')}\n`;
}

/**
 * The order as the output itself records it (annotation startorder.dev/applied), for workloads no
 * spec selected in this run: `startorder graph` works on rewritten manifests alone.
 */
export function viewsFromRecords(files: readonly SourceFile[], planned: readonly Plan[]): GraphView[] {
  const done = new Set(planned.map((p) => `${p.workload.file}#${p.workload.document}#${p.workload.path.join('.')}`));
  const views: GraphView[] = [];
  for (const r of resourcesOf(files)) {
    const w = asWorkload(r);
    if (!w || done.has(`${w.file}#${w.document}#${w.path.join('.')}`)) continue;
    const record = recordOf(w.value, w).record;
    if (!record) continue;
    const pod = getIn(w.value, w.podSpecPath) as Obj;
    const inits = new Map(containerList(pod, 'initContainers').map((c) => [String(c.name), c]));
    const apps = new Set(containerList(pod, 'containers').map((c) => String(c.name)));
    const names = new Set(record.edges.flatMap(([dep, dependent]) => [dep, dependent]));
    views.push({
      workload: workloadId(w),
      nodes: [...names].map((name) => {
        const init = inits.get(name);
        if (!init && !apps.has(name)) return EXTERNAL(name);
        const waitedUp = record.edges.some(([dep, , c]) => dep === name && (c === 'Started' || c === 'Ready'));
        const role = init ? (init.restartPolicy === 'Always' ? 'sidecar' : 'init') : waitedUp ? 'sidecar' : 'main';
        return { name, role, list: init ? 'initContainers' : 'containers' };
      }),
      edges: record.edges.map(([dep, dependent, condition, mechanism]) => ({ dep, dependent, condition, mechanism })),
      ...(deliveryInOutput(pod) === 'image' ? { delivery: 'image' as const } : {}),
    });
  }
  return views;
}
