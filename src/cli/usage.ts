/** Help and usage errors: yargs, built from OPTIONS, loaded only when the quick parser is not sure. */
import { VERSION } from '../generated/version.js';
import { OPTIONS, toCommon, UsageError, type Common } from './options.js';

const EXAMPLES: [string, string][] = [
  ['kustomize build overlays/prod | startorder -c order.yaml | kubectl apply -f -', 'rewrite a rendered stream'],
  ['startorder -c order.yaml --write k8s/', 'rewrite every manifest under k8s/ in place'],
  ['startorder check -c order.yaml k8s/', 'exit 1 and show a diff when a manifest is out of date (CI, pre-commit)'],
  ['startorder graph -c order.yaml --format dot deploy.yaml | dot -Tsvg > order.svg', 'draw the order'],
  ['startorder explain -c order.yaml deploy.yaml', 'say in words what will happen'],
  ['startorder revert deploy.yaml', 'undo what startorder did'],
  ['helm install web ./chart --post-renderer startorder', 'as a Helm post-renderer (specs from annotations or StartOrder documents)'],
  ['startorder status web-7d9c5 -n shop', 'why is this pod waiting? (also: kubectl startorder status …)'],
  ['startorder webhook certs --namespace startorder-system', 'TLS for the admission webhook: a CA and serving cert as a Secret, caBundle patched'],
  ['startorder runtime-image save runtime.tar', 'the runtime image for your registry (skopeo copy --all oci-archive:runtime.tar docker://…)'],
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

/** The command line as yargs reads it; `help` is the text to print for --help / --version. */
export async function parseWithYargs(argv: readonly string[]): Promise<{ help: string } | { command: string; args: Common }> {
  const { default: yargs } = await import('yargs');
  let command = 'transform';
  let helpText = '';
  let parser = yargs([...argv])
    .scriptName('startorder')
    .usage(
      '$0 [files..]\n\nRewrite Kubernetes manifests so the containers of each pod start, and stop, in the order a StartOrder spec declares.\nFiles may be files, directories or globs; none or "-" reads stdin. Rewritten manifests go to stdout, diagnostics to stderr.',
    )
    .command(['transform [files..]', '$0 [files..]'], 'rewrite manifests (the default)', {}, () => void (command = 'transform'))
    .command('check [files..]', 'exit 1 with a diff for each file that is not what transform would produce', {}, () => void (command = 'check'))
    .command('graph [files..]', 'draw the order (Mermaid, DOT or JSON) with the mechanism on each edge', {}, () => void (command = 'graph'))
    .command('explain [files..]', 'say in words what transform will do', {}, () => void (command = 'explain'))
    .command('revert [files..]', 'undo what startorder did, from the annotation it left', {}, () => void (command = 'revert'))
    .command(
      'status <pod>',
      'why is my pod waiting? per container: waiting for what, since when, why it failed (status --help)',
      {},
      () => void (command = 'status'),
    )
    .command('webhook', 'the admission webhook: orders pods as they are created (webhook --help; webhook certs)', {}, () => void (command = 'webhook'))
    .command(
      'runtime-image save <file>',
      'write the digest-pinned runtime image as an OCI layout tarball (to mirror it)',
      {},
      () => void (command = 'runtime-image'),
    )
    .example(EXAMPLES)
    .epilogue(
      FUNCTION_MODE +
        '\n\nExit codes: 0 ok; 1 findings (an error diagnostic, or check found a stale file); 2 usage; 3 internal error; status: 4 API unreachable or refused, 5 no such pod; webhook certs: 1 a webhook configuration not found, 4 API refused.\nDocs: README.md, docs/integrations.md. Spec schema: schemas/startorder.schema.json.',
    )
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
  const parsed = await parser.parseAsync([...argv], {}, (_err, _argv, output) => {
    helpText = output;
  });
  if (helpText) return { help: helpText.endsWith('\n') ? helpText : `${helpText}\n` };
  const raw = parsed as unknown as Record<string, unknown> & { files?: string[] };
  return { command, args: toCommon(raw, raw.files ?? []) };
}
