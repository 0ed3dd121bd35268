/**
 * The subcommands that are not a transform of files: `status` (reads a pod through the Kubernetes API),
 * `runtime-image save` / `push`, and `webhook` / `webhook certs` (the admission server, its TLS). Each
 * is loaded only when called, so a transform never pays for them (nor for @kubernetes/client-node).
 */
import { ExitCode } from '../exit-codes.js';
import { errnoReason, type IO } from './io.js';

const RUNTIME_IMAGE_USAGE =
  'usage: startorder runtime-image save FILE   (the runtime image as a multi-arch OCI layout tarball)\n' +
  '       startorder runtime-image push REGISTRY/REPO[:TAG] [--insecure-registry HOST]... [--from REPO] [--chunk-size BYTES]   (into a registry, same digest)';

/** Runs a tool subcommand, or returns undefined when argv is not one. */
export async function runTool(io: IO): Promise<number | undefined> {
  const [first, ...rest] = io.argv;
  if (first === 'status') {
    const { statusCommand } = await import('../status/index.js');
    return statusCommand(rest, { stdout: (s) => io.stdout(s), stderr: (s) => io.stderr(s), env: io.env ?? process.env });
  }
  if (first === 'runtime-image') return runtimeImage(io, rest);
  if (first === 'webhook') {
    const { webhookCommand } = await import('../webhook/index.js');
    return webhookCommand(rest, { stdout: (s) => io.stdout(s), stderr: (s) => io.stderr(s) });
  }
  return undefined;
}

async function runtimeImage(io: IO, argv: readonly string[]): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h') {
    io.stdout(`${RUNTIME_IMAGE_USAGE}\n  or, after save: skopeo copy --all oci-archive:FILE docker://REGISTRY/REPO:TAG (keeps the digest)\n`);
    return ExitCode.ok;
  }
  if (argv[0] === 'push') {
    const [{ pushCommand }, { nodeRegistryPorts }] = await Promise.all([import('../image/push-command.js'), import('./node-registry.js')]);
    return pushCommand(argv.slice(1), { stderr: (s) => io.stderr(s), ports: io.registryPorts?.() ?? nodeRegistryPorts() });
  }
  if (argv.length !== 2 || argv[0] !== 'save' || argv[1]!.startsWith('-')) {
    io.stderr(`startorder: ${RUNTIME_IMAGE_USAGE}\n`);
    return ExitCode.usage;
  }
  const file = argv[1]!;
  const { saveRuntimeImage, unusableLayout } = await import('../image/save.js');
  const { LayoutError } = await import('../image/layout.js');
  try {
    const s = await saveRuntimeImage(file);
    io.stderr(
      `startorder: wrote ${file}: ${s.reference} (${s.platforms.join(', ')}; ${s.tarball.length} bytes, OCI layout tarball)\n` +
        `  mirror it: skopeo copy --all oci-archive:${file} docker://REGISTRY/REPO:TAG, then --runtime-image REGISTRY/REPO:TAG@${s.reference.slice(s.reference.indexOf('@') + 1)}\n`,
    );
    return ExitCode.ok;
  } catch (e) {
    if (e instanceof LayoutError) {
      io.stderr(unusableLayout(e));
      return ExitCode.internal;
    }
    const why = writeFailure(e, file);
    if (why === undefined) throw e;
    io.stderr(`startorder: cannot write ${file}: ${why}\n`);
    return ExitCode.usage;
  }
}

/** A file-system failure of `save`, as one line (the temporary file is gone by then); undefined for anything else. */
function writeFailure(e: unknown, file: string): string | undefined {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === undefined) return undefined;
  if (code === 'EISDIR') return `it is a directory (give a file name: ${file.replace(/\/+$/, '')}/startorder-runtime.tar)`;
  if (code === 'ENOENT') return 'its directory does not exist';
  return errnoReason(e) ?? code;
}
