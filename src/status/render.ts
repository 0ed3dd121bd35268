// The report as text (a table, the failures, the timeline), JSON, or a Mermaid gantt chart.
import type { ContainerReport, Fact, PodReport } from './types.js';

/** "+1.234s" from the pod's creation (or the first event), "-" when unknown. */
function offset(at: string | undefined, zero: number | undefined): string {
  if (at === undefined || zero === undefined) return '-';
  const d = (Date.parse(at) - zero) / 1000;
  return `${d < 0 ? '-' : '+'}${Math.abs(d).toFixed(3)}s`;
}

/** "1h2m3s" for a span in milliseconds. */
export function span(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${s % 60}s`;
}

function zeroOf(r: PodReport): number | undefined {
  const t = r.created ?? r.timeline[0]?.at;
  return t === undefined ? undefined : Date.parse(t);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

function stateText(c: ContainerReport): string {
  const reason = c.kubeReason && c.state === 'not-created' ? ` (${c.kubeReason})` : '';
  const restarts = c.restarts > 0 ? `, ${c.restarts} restart${c.restarts === 1 ? '' : 's'}` : '';
  const unknown = c.readyUnknown && c.state === 'running' ? ', ready: unknown' : '';
  return `${c.state}${reason}${unknown}${restarts} [${c.stateSource}]`;
}

function waitingText(c: ContainerReport, now: number): [string, string] {
  const plan = [...c.waitsFor.map((d) => `${d.container} ${d.condition.toLowerCase()}`), ...(c.gate ? ['gate'] : [])];
  if (!c.waiting) return [plan.length > 0 ? `- (after ${plan.join(', ')})` : '-', '-'];
  const since = c.waiting.since ? `${c.waiting.since} (${span(now - Date.parse(c.waiting.since))} ago)` : '-';
  return [`${c.waiting.for.join(', ') || '(unknown)'} [${c.waiting.source}]`, since];
}

const at = (f: Fact | undefined, zero: number | undefined) => offset(f?.at, zero);

export function renderText(r: PodReport, now: number): string {
  const zero = zeroOf(r);
  const head = `Pod ${r.namespace}/${r.name}: ${r.phase}, ${r.ordered ? 'ordered by startorder' : 'not ordered by startorder (no startorder.dev/applied record)'}${r.created ? `, created ${r.created}` : ''}\n\n`;
  const rows = [['CONTAINER', 'KIND', 'STATE [source]', 'WAITING FOR', 'SINCE', 'STARTED', 'READY', 'EXITED']];
  for (const c of r.containers) {
    const [w, since] = waitingText(c, now);
    rows.push([c.name, c.kind, stateText(c), w, since, at(c.times.started ?? c.times.created, zero), at(c.times.ready, zero), at(c.times.exited, zero)]);
  }
  let out = head + table(rows);
  const failed = r.containers.filter((c) => c.failure);
  if (failed.length > 0) out += `\nFailures:\n${failed.map((c) => `  ${c.name}: ${c.failure!.reason} [${c.failure!.source}]`).join('\n')}\n`;
  out += `\nTimeline (offsets from ${r.created ? 'pod creation' : 'the first event'}):\n`;
  out += table(r.timeline.map((e) => ['  ' + offset(e.at, zero), e.at, e.container ?? '(pod)', e.event, `[${e.source}]`]));
  out += `\nSources: pod status ${r.sources.pod}; record ${r.sources.record}; logs ${r.sources.logs}; status files ${r.sources.statusFiles}\n`;
  out += "STARTED is the process start when known, else the container (wrapper) start; times are offsets from the pod's creation.\n";
  return out;
}

export function renderJSON(r: PodReport): string {
  return JSON.stringify(r, null, 2) + '\n';
}

/** Mermaid task names may not hold ':' or '#' or ';' (they end the name or start a comment). */
const label = (s: string) => s.replace(/[:#;]/g, ' ');

interface Bar {
  name: string;
  from: number;
  to: number;
  tag: string;
}

function bars(c: ContainerReport, now: number): Bar[] {
  const t = (f: Fact | undefined) => (f ? Date.parse(f.at) : undefined);
  const created = t(c.times.created);
  // a wrapper with nothing to wait for starts its child at once
  const waits = c.waitsFor.length > 0 || c.gate !== undefined;
  const started = t(c.times.started) ?? (c.wrapped && waits ? t(c.times.waited) : created);
  const ready = t(c.times.ready);
  const end = t(c.times.exited);
  const stop = end ?? now;
  const out: Bar[] = [];
  const ongoing = end === undefined ? 'active' : 'done';
  if (c.wrapped && created !== undefined && (waits || c.waiting)) {
    const waitEnd = t(c.times.waited) ?? started ?? (c.state === 'waiting' ? now : end);
    if (waitEnd !== undefined)
      out.push({ name: 'waits', from: created, to: waitEnd, tag: started === undefined && end !== undefined ? 'crit' : waitEnd === now ? 'active' : 'done' });
  }
  if (started !== undefined && ready !== undefined && ready > started) out.push({ name: 'starting', from: started, to: ready, tag: 'done' });
  const runFrom = ready ?? started;
  if (runFrom !== undefined && (c.state !== 'waiting' || ready !== undefined)) {
    out.push({
      name: c.state === 'failed' ? 'ran, failed' : ready !== undefined ? 'ready' : 'runs',
      from: runFrom,
      to: Math.max(runFrom, stop),
      tag: c.state === 'failed' ? 'crit' : ongoing,
    });
  }
  return out;
}

export function renderMermaid(r: PodReport, now: number): string {
  const lines = ['gantt', `  title Start-up of pod ${label(`${r.namespace}/${r.name}`)}`, '  dateFormat x', '  axisFormat %H:%M:%S'];
  for (const c of r.containers) {
    const bs = bars(c, now);
    if (bs.length === 0) continue;
    lines.push(`  section ${label(c.name)}`);
    // a zero-length bar would vanish: at least one millisecond
    for (const b of bs) lines.push(`    ${label(b.name)} :${b.tag}, ${b.from}, ${Math.max(b.to, b.from + 1)}`);
  }
  return lines.join('\n') + '\n';
}
