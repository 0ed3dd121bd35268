import { parseArgs } from 'node:util';
import { hasErrors, renderText, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { unifiedDiff } from './emit/diff.js';
import { ExitCode } from './exit-codes.js';
import { WriteError, type IO } from './io.js';
import { isNode } from 'yaml';
import { callerShowsResults, functionNotes, isResourceList, placedResults, refusedFlags, resultLines, specFromFunctionConfig, withResults } from './krm.js';
import { makeLocator } from './load/locate.js';
import { asWorkload, getIn, resourcesOf } from './select/resources.js';
import { KUBERNETES_VERSION } from './spec/collect.js';
import { SPEC_ANNOTATION } from './select/select.js';
import { parseFile, type SourceFile } from './load/parse.js';
import { EmitFailure, renderAs, transform, type Input, type Options, type Result } from './pipeline.js';
import { explain } from './render/explain.js';
import { transformStream } from './stream.js';
import { dot, mermaid, viewOf, viewsFromRecords } from './render/graph.js';
import { DEFAULT_LOCK_FILE } from './resolve/lockfile.js';
import type { Mode } from './types.js';
import { VERSION } from './generated/version.js';

const EXAMPLES: [string, string][] = [
  ['kustomize build overlays/prod | startorder -c order.yaml | kubectl apply -f -', 'rewrite a rendered stream'],
  ['startorder -c order.yaml --write k8s/', 'rewrite every manifest under k8s/ in place'],
  ['startorder check -c order.yaml k8s/', 'exit 1 and show a diff when a manifest is out of date (CI, pre-commit)'],
  ['startorder graph -c order.yaml --format dot deploy.yaml | dot -Tsvg > order.svg', 'draw the order'],
  ['startorder explain -c order.yaml deploy.yaml', 'say in words what will happen'],
  ['startorder revert deploy.yaml', 'undo what startorder did'],
  ['helm install web ./chart --post-renderer startorder', 'as a Helm post-renderer (specs from annotations or StartOrder documents)'],
];

const FUNCTION_MODE = [
  'Function mode (KRM): a ResourceList on stdin (kustomize `transformers:` with an exec function, `kustomize fn run`,',
  '`kpt fn eval --exec startorder`) is answered with the ResourceList and `results`. The spec is the functionConfig',
  '(a StartOrder, or a ConfigMap with the spec as YAML in data.spec and optional mode, kubernetesVersion, runtimeImage',
  'keys), -c files, or the startorder.dev/spec pod template annotations. -c, --mode, --kubernetes-version,',
  '--runtime-image and --error-format are honoured; -o, --write, --resolve-images, --locked, --lock-file, --platform and',
  '--insecure-registry are refused with a result. Exit 1 when a result is an error; one line per result on stderr (not',
  'under kpt, which prints the results itself; STARTORDER_KRM_STDERR=lines|none decides). Mark StartOrder files',
  'config.kubernetes.io/local-config: "true" so kpt and kustomize do not apply them.',
].join(' ');

interface Common {
  files: string[];
  config: string[];
  output?: 'yaml' | 'json';
  write: boolean;
  mode?: Mode;
  'kubernetes-version'?: string;
  'runtime-image'?: string;
  'error-format': 'text' | 'json';
  format: 'mermaid' | 'dot' | 'json';
  'resolve-images': boolean;
  locked: boolean;
  'lock-file': string;
  platform?: string;
  'insecure-registry': string[];
  /** Which flags the command line gave (defaults not counted). */
  given: Record<string, boolean>;
}

class UsageError extends Error {}

/**
 * The input files, each real file once. Entries of a directory that cannot be read (a dangling
 * symlink, a FIFO) are warnings; a file also given with -c is a spec, read once, as the config.
 */
async function readInputs(io: IO, files: readonly string[], configs: readonly Input[], diags: Diagnostic[]): Promise<Input[]> {
  if (files.length === 0 || (files.length === 1 && files[0] === '-')) return [{ name: '<stdin>', text: await io.readStdin() }];
  const real = async (f: string) => (io.realpath ? io.realpath(f) : f);
  const configAt = new Map<string, string>();
  for (const c of configs) configAt.set(await real(c.name), c.name);
  const seen = new Set<string>();
  const out: Input[] = [];
  for (const arg of files) {
    const expanded = await io.expand(arg, (s) => diags.push({ code: 'input-skipped', severity: 'warning', file: s.file, message: s.message, hint: 'Remove it, or point it at a manifest file.' }));
    if (expanded.length === 0) {
      if (arg !== '-' && !diags.some((d) => d.code === 'input-skipped' && d.file?.startsWith(arg))) throw new UsageError(`no such file, directory or matching glob: ${arg}`);
      continue;
    }
    for (const f of expanded) {
      const r = await real(f);
      if (seen.has(r)) continue;
      seen.add(r);
      const asConfig = configAt.get(r);
      if (asConfig !== undefined) {
        diags.push({ code: 'spec-given-twice', severity: 'warning', file: f, line: 1, column: 1, message: `${f} is given both with -c (as ${asConfig}) and as an input; it is read once, as a spec file`, hint: `Give it once: drop it from the inputs (or exclude it from the directory or glob), or drop -c ${asConfig}.` });
        continue;
      }
      out.push({ name: f, text: await io.readFile(f) });
    }
  }
  return out;
}

function optionsOf(a: Common, configs: Input[]): Options {
  return {
    configs,
    defaults: {
      ...(a.mode ? { mode: a.mode } : {}),
      ...(a['kubernetes-version'] ? { kubernetesVersion: a['kubernetes-version'] } : {}),
      ...(a['runtime-image'] ? { runtimeImage: a['runtime-image'] } : {}),
    },
  };
}

function report(io: IO, a: Pick<Common, 'error-format'>, diags: readonly Diagnostic[], texts: readonly Input[] = []): void {
  if (diags.length === 0) return;
  if (a['error-format'] === 'json') return io.stderr(`${JSON.stringify(diags.map(({ resource: _r, ...d }) => d))}\n`);
  const sources = new Map(texts.map((s) => [s.name, s.text]));
  io.stderr(`${diags.map((d) => renderText(d, sources)).join('\n')}\n`);
}

/**
 * --resolve-images / --locked: a first run finds the containers whose image ENTRYPOINT is unknown
 * (missing-command), their images are resolved from the lock file or the registry, and the real run
 * gets them as `resolvedImages`. Returns the lock text to write when it changed.
 */
async function resolveForRun(io: IO, a: Common, inputs: Input[], options: Options): Promise<{ diagnostics: Diagnostic[]; resolvedImages?: Options['resolvedImages']; lockText?: string }> {
  // Loaded only here: the everyday command line does not pay for it.
  const { emptyLockfile, imageSites, lockFormatFor, readLockfile, resolveImages, writeLockfile } = await import('./resolve/index.js');
  const sites = imageSites(transform(inputs, options));
  if (sites.size === 0) return { diagnostics: [] };
  const lockFile = a['lock-file'];
  const text = await io.readFile(lockFile).catch((e: NodeJS.ErrnoException) => {
    if (e?.code === 'ENOENT') return undefined;
    throw e;
  });
  const read = text === undefined ? { lock: emptyLockfile(), diagnostics: [] } : readLockfile(text, lockFile);
  const asDiag = (d: { code: Diagnostic['code']; message: string; hint: string; image?: string }): Diagnostic => {
    const site = d.image !== undefined && d.code !== 'lock-mismatch' ? sites.get(d.image) : undefined;
    const { code: _c, severity: _s, message: _m, hint: _h, ...where } = site ?? ({ file: lockFile } as Partial<Diagnostic>);
    return { ...where, code: d.code, severity: 'error', message: d.message, hint: d.hint };
  };
  if (!read.lock) return { diagnostics: read.diagnostics.map(asDiag) };
  const r = await resolveImages([...sites.keys()], {
    lock: read.lock,
    locked: a.locked,
    ...(a.platform ? { platform: a.platform } : {}),
    insecureRegistries: a['insecure-registry'],
  });
  if (r.diagnostics.length > 0) return { diagnostics: r.diagnostics.map(asDiag) };
  const out = writeLockfile(r.lock, lockFormatFor(lockFile));
  return { diagnostics: [], resolvedImages: r.entries, ...(out !== text ? { lockText: out } : {}) };
}

/** Joins the outputs of several files into one stream on stdout. */
function joinOutputs(r: Pick<Result, 'files'>, output: Common['output']): string {
  const single = r.files.length === 1 ? r.files[0]! : undefined;
  const wanted = output ?? (single?.format === 'json' ? 'json' : 'yaml');
  if ((single && single.format === wanted) || (wanted === 'yaml' && r.files.every((f) => f.format === 'yaml'))) {
    return r.files.map((f, i) => (i > 0 && !/^---/.test(f.text) ? `---\n${f.text}` : f.text)).map((t, i, all) => (i === all.length - 1 || t.endsWith('\n') || t === '' ? t : `${t}\n`)).join('');
  }
  const values = r.files.flatMap((f) => parseFile(f.name, f.text).file.docs.map((d) => d.value).filter((v) => v !== undefined && v !== null));
  return renderAs(wanted, values);
}

/**
 * Function mode (a ResourceList on stdin, from kustomize or kpt). -c, --mode, --kubernetes-version,
 * --runtime-image and --error-format are honoured; flags that mean nothing here are refused with a
 * result. The answer is the ResourceList with results added by a text edit (see withResults).
 */
async function runKrm(io: IO, a: Common, input: Input, list: Record<string, unknown>, source: SourceFile, configs: Input[]): Promise<number> {
  const items = list.items === undefined || list.items === null ? [] : Array.isArray(list.items) ? list.items : undefined;
  const doc = source.docs[0]!.doc;
  const rawAt = (path: (string | number)[]) => {
    const node = doc.getIn(path, true);
    return isNode(node) && node.range ? input.text.slice(node.range[0], node.range[1]) : undefined;
  };
  const fc = specFromFunctionConfig(list.functionConfig, input.name, rawAt);
  const diags: Diagnostic[] = [...refusedFlags(a.given), ...fc.diagnostics];
  let text = input.text;
  if (!items) diags.push({ code: 'resource-list-invalid', severity: 'error', file: input.name, document: 0, message: 'the ResourceList\'s items is not a list', hint: 'Send a ResourceList whose items field is a list (it may be empty).' });
  if (!hasErrors(diags)) {
    const annotated = resourcesOf([source]).some((r) => {
      const w = asWorkload(r);
      return w !== undefined && getIn(w.value, [...w.metadataPath, 'annotations', SPEC_ANNOTATION]) !== undefined;
    });
    diags.push(...functionNotes(list, input.name, fc.specObjects.length > 0 || configs.length > 0 || annotated));
    const r = transform([input], { ...optionsOf(a, configs), specObjects: fc.specObjects });
    // A spec handed to the function as its functionConfig is there to be used: selecting nothing is
    // an error (after kustomize's namePrefix, names are matched against previousNames as well).
    diags.push(
      ...r.diagnostics.map((d): Diagnostic =>
        d.code === 'spec-selects-nothing' && d.file === input.name
          ? { ...d, severity: 'error', hint: 'Check the selector against the items’ kind, name (before or after namePrefix/nameSuffix), namespace and labels, or remove the function.' }
          : d,
      ),
    );
    if (!hasErrors(diags) && r.files[0]) text = r.files[0].text;
  }
  const sorted = sortDiagnostics(diags);
  const placed = placedResults(sorted, items ?? [], list.functionConfig);
  const results = placed.map((p) => p.result);
  if (a['error-format'] === 'json') report(io, a, sorted);
  else if (results.length > 0 && !callerShowsResults(list, process.env)) {
    // kustomize shows a function's stderr, not its results: one line per result there.
    const locate = makeLocator([source]);
    const lines = resultLines(sorted, placed, (path) => locate(input.name, 0, path)?.line);
    io.stderr(`${lines.join('\n')}\n`);
  }
  io.stdout(withResults(text, results, true));
  return hasErrors(diags) ? ExitCode.findings : ExitCode.ok;
}

async function run(io: IO, cmd: string, a: Common): Promise<number> {
  const configs = await Promise.all(a.config.map(async (c) => ({ name: c, text: await io.readFile(c).catch(() => { throw new UsageError(`cannot read --config ${c}`); }) })));
  if (a['kubernetes-version'] !== undefined && !KUBERNETES_VERSION.test(a['kubernetes-version'])) {
    throw new UsageError(`--kubernetes-version ${JSON.stringify(a['kubernetes-version'])} is not a Kubernetes version: give MAJOR.MINOR or MAJOR.MINOR.PATCH, optionally with a leading v (1.33, v1.33.2)`);
  }
  const found: Diagnostic[] = [];
  const inputs = await readInputs(io, a.files, configs, found);
  if (cmd === 'transform' && inputs.length === 1 && inputs[0]!.name === '<stdin>' && /kind:\s*"?ResourceList|"kind"\s*:\s*"ResourceList"/.test(inputs[0]!.text)) {
    const parsed = parseFile('<stdin>', inputs[0]!.text).file;
    const first = parsed.docs[0]?.value;
    if (isResourceList(first)) return runKrm(io, a, inputs[0]!, first, parsed, configs);
  }
  if (a.write && (cmd === 'transform' || cmd === 'revert') && inputs.some((i) => i.name === '<stdin>')) throw new UsageError('--write needs file arguments, not stdin');
  // check and --write keep StartOrder documents in the files they read: those are the user's specs.
  const options: Options = { ...optionsOf(a, configs), revert: cmd === 'revert', keepInputSpecs: cmd === 'check' || a.write };
  let lockText: string | undefined;
  if (cmd !== 'revert' && (a['resolve-images'] || a.locked)) {
    const res = await resolveForRun(io, a, inputs, options);
    if (res.diagnostics.length > 0) {
      report(io, a, [...found, ...res.diagnostics], [...inputs, ...configs]);
      return ExitCode.findings;
    }
    if (res.resolvedImages) options.resolvedImages = res.resolvedImages;
    lockText = res.lockText;
  }
  // graph and explain need the plans; the rest may go through the streaming, multi-threaded path.
  const streamed = cmd === 'graph' || cmd === 'explain' ? undefined : await transformStream(inputs, options);
  const r = streamed ? { ...streamed, plans: [], sources: [] } : transform(inputs, options);
  if (hasErrors(r.diagnostics)) {
    report(io, a, [...found, ...r.diagnostics], [...inputs, ...configs]);
    return ExitCode.findings;
  }
  // The lock file is written by transform only (check, graph and explain write nothing), and only
  // when the run has no error; with --write it goes with the manifests, all or nothing.
  const writes: { file: string; text: string }[] = [];
  if (lockText !== undefined && cmd === 'transform') writes.push({ file: a['lock-file'], text: lockText });
  if ((cmd === 'transform' || cmd === 'revert') && a.write) writes.push(...r.files.filter((x) => x.changed).map((f) => ({ file: f.name, text: f.text })));
  if (writes.length > 0) {
    try {
      if (io.writeFilesAtomic) await io.writeFilesAtomic(writes);
      else for (const w of writes) await io.writeFileAtomic(w.file, w.text);
    } catch (e) {
      if (!(e instanceof WriteError)) throw e;
      // One line (no hint, no excerpt): where, and what the file system said.
      report(io, a, [...found, ...r.diagnostics, { code: 'write-failed', severity: 'error', file: e.file, message: `cannot write: ${e.reason}; no file was changed` }], [...inputs, ...configs]);
      return ExitCode.usage;
    }
  }
  report(io, a, [...found, ...r.diagnostics], [...inputs, ...configs]);
  switch (cmd) {
    case 'check': {
      const stale = r.files.filter((f) => f.changed);
      for (const f of stale) io.stdout(unifiedDiff(`a/${f.name}`, `b/${f.name}`, inputs.find((i) => i.name === f.name)!.text, f.text));
      const files = stale.map((s) => s.name).filter((n) => n !== '<stdin>');
      const flags = a.config.map((c) => ` -c ${c}`).join('');
      if (files.length > 0) io.stderr(`${stale.length} file(s) out of date: run \`startorder${flags} --write ${files.join(' ')}\`\n`);
      else if (stale.length > 0) io.stderr(`stdin is out of date: --write needs the file itself (\`startorder${flags} --write FILE\`), or keep the output: \`startorder${flags} < FILE > FILE.new\`\n`);
      return stale.length > 0 ? ExitCode.findings : ExitCode.ok;
    }
    case 'graph': {
      const views = [...r.plans.map(viewOf), ...viewsFromRecords(r.sources, r.plans)];
      io.stdout(a.format === 'dot' ? dot(views) : a.format === 'json' ? `${JSON.stringify(views, null, 2)}\n` : mermaid(views));
      return ExitCode.ok;
    }
    case 'explain': {
      const recorded = viewsFromRecords(r.sources, r.plans).map(
        (v) => `${v.workload}: already rewritten by startorder (no spec selected it in this run):\n${v.edges.map((e) => `  ${e.dependent} starts after ${e.dep} is ${e.condition.toLowerCase()} (${e.mechanism})`).join('\n')}\n`,
      );
      io.stdout(explain(r.plans) + recorded.join('\n'));
      return ExitCode.ok;
    }
    default:
      if (a.write) return ExitCode.ok;
      io.stdout(joinOutputs(r, a.output));
      return ExitCode.ok;
  }
}

const COMMANDS = ['transform', 'check', 'graph', 'explain', 'revert'];

interface OptionSpec {
  type: 'string' | 'boolean';
  alias?: string;
  choices?: readonly string[];
  /** Repeatable: the values are collected into a list. */
  multiple?: boolean;
  default?: string | boolean;
  description: string;
}

/** Every flag, once: both the quick parser and yargs (help, usage errors) are made from this table. */
const OPTIONS: Record<string, OptionSpec> = {
  config: { type: 'string', alias: 'c', multiple: true, description: 'file with StartOrder specs (repeatable: -c a.yaml -c b.yaml)' },
  output: { type: 'string', alias: 'o', choices: ['yaml', 'json'], description: 'output format (default: as the input)' },
  write: { type: 'boolean', alias: 'w', default: false, description: 'rewrite the files in place, atomically' },
  mode: { type: 'string', choices: ['auto', 'wrapper', 'native'], description: 'default mode for specs that do not set one' },
  'kubernetes-version': { type: 'string', description: 'target cluster version for specs that do not set one, e.g. 1.33' },
  'runtime-image': { type: 'string', description: 'the startorder-entrypoint image for specs that do not set one' },
  format: { type: 'string', choices: ['mermaid', 'dot', 'json'], default: 'mermaid', description: 'graph: output format' },
  'resolve-images': { type: 'boolean', default: false, description: 'look up ENTRYPOINT/CMD of images used without command (OCI registry API), recorded in the lock file' },
  locked: { type: 'boolean', default: false, description: 'take image entrypoints from the lock file only; an image it lacks is an error (no network)' },
  'lock-file': { type: 'string', default: DEFAULT_LOCK_FILE, description: 'the lock file of --resolve-images (YAML, or JSON when it ends in .json)' },
  platform: { type: 'string', description: 'platform of multi-arch images, os/arch[/variant] (default linux/amd64)' },
  'insecure-registry': { type: 'string', multiple: true, description: 'registry host[:port] reached over plain HTTP (repeatable; loopback registries always are)' },
  'error-format': { type: 'string', choices: ['text', 'json'], default: 'text', description: 'how diagnostics are written to stderr' },
};

/** Flag values as either parser returns them → the one shape `run` reads, defaults applied. */
function toCommon(values: Record<string, unknown>, files: string[]): Common {
  const given: Record<string, boolean> = {};
  const out: Record<string, unknown> = { files, given };
  for (const [name, o] of Object.entries(OPTIONS)) {
    const v = values[name];
    given[name] = v !== undefined && !(Array.isArray(v) && v.length === 0);
    if (o.multiple) out[name] = v === undefined ? [] : ([] as unknown[]).concat(v);
    else if (v !== undefined) out[name] = v;
    else if (o.default !== undefined) out[name] = o.default;
  }
  return out as unknown as Common;
}

/**
 * The everyday command line, parsed without loading yargs (a third of a cold start). Anything it is
 * not sure about — help, version, an unknown flag, a bad value — goes to yargs, which owns usage.
 */
function quickParse(argv: readonly string[]): { command: string; args: Common } | undefined {
  if (argv.some((a) => a === '--help' || a === '-h' || a === '--version' || a === 'help')) return undefined;
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(Object.entries(OPTIONS).map(([name, o]) => [name, { type: o.type, ...(o.alias ? { short: o.alias } : {}), ...(o.multiple ? { multiple: true } : {}) }])),
    });
    for (const [name, o] of Object.entries(OPTIONS)) {
      const v = (values as Record<string, unknown>)[name];
      if (o.choices && v !== undefined && !o.choices.includes(String(v))) return undefined;
    }
    const command = positionals[0] !== undefined && COMMANDS.includes(positionals[0]) ? positionals.shift()! : 'transform';
    return { command, args: toCommon(values as Record<string, unknown>, positionals) };
  } catch {
    return undefined;
  }
}

/** The command line. Never throws; returns the exit code (see exit-codes.ts). */
export async function cli(io: IO): Promise<number> {
  const quick = quickParse(io.argv);
  if (quick) return guard(io, () => run(io, quick.command, quick.args));
  const { default: yargs } = await import('yargs');
  let command = 'transform';
  let helpText = '';
  let parser = yargs(io.argv)
    .scriptName('startorder')
    .usage('$0 [files..]\n\nRewrite Kubernetes manifests so the containers of each pod start, and stop, in the order a StartOrder spec declares.\nFiles may be files, directories or globs; none or "-" reads stdin. Rewritten manifests go to stdout, diagnostics to stderr.')
    .command(['transform [files..]', '$0 [files..]'], 'rewrite manifests (the default)', {}, () => void (command = 'transform'))
    .command('check [files..]', 'exit 1 with a diff for each file that is not what transform would produce', {}, () => void (command = 'check'))
    .command('graph [files..]', 'draw the order (Mermaid, DOT or JSON) with the mechanism on each edge', {}, () => void (command = 'graph'))
    .command('explain [files..]', 'say in words what transform will do', {}, () => void (command = 'explain'))
    .command('revert [files..]', 'undo what startorder did, from the annotation it left', {}, () => void (command = 'revert'))
    .example(EXAMPLES)
    .epilogue(FUNCTION_MODE + '\n\nExit codes: 0 ok; 1 findings (an error diagnostic, or check found a stale file); 2 usage; 3 internal error.\nDocs: README.md, docs/integrations.md. Spec schema: schemas/startorder.schema.json.')
    .strict()
    .exitProcess(false)
    .help()
    .version(VERSION)
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      throw new UsageError(msg ?? err?.message ?? 'invalid arguments');
    });
  for (const [name, o] of Object.entries(OPTIONS)) {
    parser = parser.option(name, {
      ...(o.choices ? { choices: o.choices } : { type: o.type }),
      ...(o.alias ? { alias: o.alias } : {}),
      // Defaults are applied by toCommon, so a flag that was not given can be told from one that was.
      ...(o.default !== undefined ? { defaultDescription: JSON.stringify(o.default) } : {}),
      ...(o.type === 'string' ? { requiresArg: true } : {}),
      description: o.description,
    });
  }
  try {
    const argv = await parser.parseAsync(io.argv, {}, (_err, _argv, output) => {
      helpText = output;
    });
    if (helpText) {
      io.stdout(helpText.endsWith('\n') ? helpText : `${helpText}\n`);
      return ExitCode.ok;
    }
    const raw = argv as unknown as Record<string, unknown> & { files?: string[] };
    return await run(io, command, toCommon(raw, raw.files ?? []));
  } catch (e) {
    return failure(io, e);
  }
}

async function guard(io: IO, f: () => Promise<number>): Promise<number> {
  try {
    return await f();
  } catch (e) {
    return failure(io, e);
  }
}

function failure(io: IO, e: unknown): number {
  if (e instanceof UsageError) {
    io.stderr(`startorder: ${e.message}\nRun \`startorder --help\` for usage.\n`);
    return ExitCode.usage;
  }
  if (e instanceof WriteError) {
    io.stderr(`${e.file}: error[write-failed]: cannot write: ${e.reason}\n`);
    return ExitCode.usage;
  }
  const err = e as NodeJS.ErrnoException;
  if (['ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR', 'ELOOP', 'EPERM', 'EROFS', 'EIO', 'ENXIO'].includes(String(err?.code))) {
    io.stderr(`startorder: ${err.message}\n`);
    return ExitCode.usage;
  }
  if (e instanceof EmitFailure || (e instanceof Error && e.name === 'EmitFailure')) {
    // what startorder wrote did not read back as what it meant: nothing is printed but the place
    io.stderr(`startorder: internal error (please report it): ${(e as Error).message}\n`);
    return ExitCode.internal;
  }
  io.stderr(`startorder: internal error (please report it): ${err?.stack ?? String(e)}\n`);
  return ExitCode.internal;
}
