import { workloadId } from '../kube/index.js';
import type { Edge, Plan } from '../plan/plan.js';
import { readyTcp, readyUrl } from '../rewrite/flags.js';
import { deliverySentence, usesWrapperBinary } from '../rewrite/delivery.js';
import type { Condition } from '../types.js';

const MECHANISM: Record<string, string> = {
  wrapper: 'the wrapper waits for a status file (reacts in milliseconds)',
  native: 'Kubernetes orders it: the dependency is now an init container',
  kubernetes: 'Kubernetes already orders it (the dependency is an init container)',
  probe: 'the wrapper probes it directly',
};

/** What a probe edge probes, and why the dependency is not rewritten. */
function probeWords(p: Plan, e: Edge): string {
  const r = e.probe!;
  const what = r.httpGet ? `http ${readyUrl(r).replace(/^http:\/\//, '')}` : r.tcpSocket ? `tcp ${readyTcp(r)}` : `exec ${r.exec!.command.join(' ')}`;
  const why = p.external.includes(e.dep)
    ? `${e.dep} is not in the pod (injected later)`
    : p.spec.containers.find((c) => c.name === e.dep)?.wrap === false
      ? `${e.dep} is left as it is (wrap: false)`
      : `${e.dep} is not rewritten for this edge`;
  return ` (${what}; ${why})`;
}

const CONDITION: Record<Condition, string> = {
  Started: 'is started',
  Ready: 'is ready',
  Completed: 'is completed',
  Exited: 'has exited (whatever its exit code)',
};

const READY_KINDS = ['file', 'exec', 'httpGet', 'tcpSocket', 'self'] as const;

/** The plan in words, one workload after another. */
export function explain(plans: readonly Plan[]): string {
  const out: string[] = [];
  for (const p of plans) {
    const w = p.workload;
    out.push(`${workloadId(w, '')} (${w.file}), spec ${p.spec.origin}:`);
    out.push(`  target: Kubernetes ${p.spec.kubernetesVersion ?? '(version not given)'}, mode ${p.spec.mode}`);
    if (usesWrapperBinary(p)) out.push(`  delivery: ${deliverySentence(p)}`);
    if (p.gate) out.push(`  gate: the first containers wait until the pod annotation ${p.gate} has content`);
    for (const n of p.native)
      out.push(
        `  ${n.name} becomes ${n.as === 'sidecar' ? 'a native sidecar (init container with restartPolicy: Always)' : 'an init container (runs to completion first)'}${n.ready ? `, with a startupProbe from its readiness${n.ready.endpoint?.kind === 'loopback' ? ' (run inside the container through the wrapper: the server listens on loopback only)' : ''}` : ''}`,
      );
    for (const e of p.edges)
      out.push(`  ${e.dependent} starts after ${e.dep} ${CONDITION[e.condition]}: ${MECHANISM[e.mechanism]}${e.mechanism === 'probe' ? probeWords(p, e) : ''}`);
    for (const x of p.wrapped) {
      const bits = [];
      if (x.ready)
        bits.push(`reports ready by ${READY_KINDS.find((k) => x.ready![k] !== undefined)}${x.ready.endpoint?.kind === 'loopback' ? ' on loopback' : ''}`);
      if (x.restartPolicy !== 'Always') bits.push(`restart policy ${x.restartPolicy}`);
      if (x.stopAfter.length) bits.push(`on SIGTERM waits for ${x.stopAfter.join(', ')} to exit first (at most ${p.stopGraceSeconds}s)`);
      if (x.exitWith.length) {
        const done = x.exitWith.map(
          (d) => `${d.dep} ${d.condition === 'Completed' ? 'completed (exit 0; a failure is retried, with this sidecar)' : 'exited (any code, or died)'}`,
        );
        bits.push(`exits once ${done.join(' and ')}, so the Job can complete`);
      }
      out.push(`  ${x.name} runs under the wrapper${bits.length ? `: ${bits.join('; ')}` : ''}`);
    }
    out.push('');
  }
  return out.join('\n');
}
