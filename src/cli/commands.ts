/** The commands: the command line → a request, the pipeline's result → stdout, stderr, files, exit code. */
import { hasErrors, type Diagnostic } from '../diagnostics.js';
import { unifiedDiff } from '../emit/diff.js';
import { ExitCode } from '../exit-codes.js';
import { run, type Input, type Options, type Ports, type Result } from '../pipeline/index.js';
import { explain } from '../render/explain.js';
import { dot, mermaid, viewOf, viewsFromRecords } from '../render/graph.js';
import { KUBERNETES_VERSION } from '../kube/index.js';
import { imageSourceFor } from './images.js';
import { readConfigs, readInputs } from './inputs.js';
import { WriteError, type IO } from './io.js';
import { resourceListIn, runKrm } from './krm-entry.js';
import { UsageError, type Common } from './options.js';
import { joinOutputs, report } from './report.js';

function defaultsOf(a: Common): Options['defaults'] {
  return {
    ...(a.mode ? { mode: a.mode } : {}),
    ...(a['kubernetes-version'] ? { kubernetesVersion: a['kubernetes-version'] } : {}),
    ...(a['runtime-image'] ? { runtimeImage: a['runtime-image'] } : {}),
  };
}

/** Every usage check on the command line and its inputs, before anything is looked up or written. */
function checkUsage(cmd: string, a: Common, inputs: readonly Input[]): void {
  if (a.write && (cmd === 'transform' || cmd === 'revert') && inputs.some((i) => i.name === '<stdin>'))
    throw new UsageError('--write needs file arguments, not stdin');
}

export async function runCommand(io: IO, cmd: string, a: Common): Promise<number> {
  const configs = await readConfigs(io, a.config);
  if (a['kubernetes-version'] !== undefined && !KUBERNETES_VERSION.test(a['kubernetes-version'])) {
    throw new UsageError(
      `--kubernetes-version ${JSON.stringify(a['kubernetes-version'])} is not a Kubernetes version: give MAJOR.MINOR or MAJOR.MINOR.PATCH, optionally with a leading v and a build suffix (1.33, v1.33.2, v1.30.2-gke.1)`,
    );
  }
  const found: Diagnostic[] = [];
  const inputs = await readInputs(io, a.files, configs, found);
  if (hasErrors(found)) {
    report(io, a, found, inputs);
    return ExitCode.findings;
  }
  const list = cmd === 'transform' ? resourceListIn(inputs) : undefined;
  if (list) return runKrm(io, a, list, { configs, defaults: defaultsOf(a) });
  checkUsage(cmd, a, inputs);
  const ports: Ports = cmd !== 'revert' && (a['resolve-images'] || a.locked) ? { images: await imageSourceFor(io, a) } : {};
  // check and --write keep StartOrder documents in the files they read: those are the user's specs.
  const r = await run(
    {
      inputs,
      configs,
      defaults: defaultsOf(a),
      revert: cmd === 'revert',
      keepInputSpecs: cmd === 'check' || a.write,
      needPlans: cmd === 'graph' || cmd === 'explain',
    },
    ports,
  );
  const texts = [...inputs, ...configs];
  if (hasErrors(r.diagnostics)) {
    report(io, a, [...found, ...r.diagnostics], texts);
    return ExitCode.findings;
  }
  const failed = await writeFiles(io, cmd, a, r, inputs);
  report(io, a, [...found, ...r.diagnostics, ...(failed ? [failed] : [])], texts);
  if (failed) return ExitCode.usage;
  return output(io, cmd, a, r, inputs);
}

/**
 * The lock file is written by transform only (check, graph and explain write nothing), and only
 * when the run has no error; with --write it goes with the manifests, all or nothing.
 */
async function writeFiles(io: IO, cmd: string, a: Common, r: Result, inputs: readonly Input[]): Promise<Diagnostic | undefined> {
  const writes: { file: string; text: string; was?: string }[] = [];
  if (r.lock && cmd === 'transform') writes.push(r.lock);
  const read = new Map(inputs.map((i) => [i.name, i.text]));
  if ((cmd === 'transform' || cmd === 'revert') && a.write)
    writes.push(...r.files.filter((x) => x.changed).map((f) => ({ file: f.name, text: f.text, ...(read.has(f.name) ? { was: read.get(f.name) } : {}) })));
  if (writes.length === 0) return undefined;
  try {
    if (io.writeFilesAtomic) await io.writeFilesAtomic(writes);
    else for (const w of writes) await io.writeFileAtomic(w.file, w.text);
    return undefined;
  } catch (e) {
    if (!(e instanceof WriteError)) throw e;
    // One line (no hint, no excerpt): where, and what the file system said.
    return { code: 'write-failed', severity: 'error', file: e.file, message: `cannot write: ${e.reason}; no file was changed` };
  }
}

function check(io: IO, a: Common, r: Result, inputs: readonly Input[]): number {
  const stale = r.files.filter((f) => f.changed);
  for (const f of stale) io.stdout(unifiedDiff(`a/${f.name}`, `b/${f.name}`, inputs.find((i) => i.name === f.name)!.text, f.text));
  const files = stale.map((s) => s.name).filter((n) => n !== '<stdin>');
  const flags = a.config.map((c) => ` -c ${c}`).join('');
  if (files.length > 0) io.stderr(`${stale.length} file(s) out of date: run \`startorder${flags} --write ${files.join(' ')}\`\n`);
  else if (stale.length > 0)
    io.stderr(
      `stdin is out of date: --write needs the file itself (\`startorder${flags} --write FILE\`), or keep the output: \`startorder${flags} < FILE > FILE.new\`\n`,
    );
  return stale.length > 0 ? ExitCode.findings : ExitCode.ok;
}

function output(io: IO, cmd: string, a: Common, r: Result, inputs: readonly Input[]): number {
  if (cmd === 'check') return check(io, a, r, inputs);
  if (cmd === 'graph') {
    const views = [...r.plans.map(viewOf), ...viewsFromRecords(r.sources, r.plans)];
    io.stdout(a.format === 'dot' ? dot(views) : a.format === 'json' ? `${JSON.stringify(views, null, 2)}\n` : mermaid(views));
  } else if (cmd === 'explain') {
    const recorded = viewsFromRecords(r.sources, r.plans).map(
      (v) =>
        `${v.workload}: already rewritten by startorder (no spec selected it in this run):\n${v.edges.map((e) => `  ${e.dependent} starts after ${e.dep} is ${e.condition.toLowerCase()} (${e.mechanism})`).join('\n')}\n`,
    );
    io.stdout(explain(r.plans) + recorded.join('\n'));
  } else if (!a.write) io.stdout(joinOutputs(r, a.output));
  return ExitCode.ok;
}
