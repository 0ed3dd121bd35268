/**
 * The command line of `startorder runtime-image push REGISTRY/REPO[:TAG]`: its flags, the Node ports
 * (fetch, $DOCKER_CONFIG/config.json), the push, a check that the tag now names the pinned digest,
 * and one line for each outcome on stderr (stdout stays empty).
 */
import { ExitCode } from '../exit-codes.js';
import { RUNTIME_IMAGE_TAG } from '../generated/runtime-image.js';
import { DockerConfig, DockerConfigError } from '../resolve/auth.js';
import { RegistryError } from '../resolve/failures.js';
import type { ResolvePorts } from '../resolve/index.js';
import { ImageReferenceError, parseReference, type ImageRef } from '../resolve/reference.js';
import { PushClient } from '../resolve/upload.js';
import { LayoutError, readLayout } from './layout.js';
import { DEFAULT_CHUNK_BYTES, pushLayout } from './push.js';
import { layoutDir, SHIPPED_LAYOUT, unusableLayout } from './save.js';

export const PUSH_USAGE =
  'usage: startorder runtime-image push REGISTRY/REPO[:TAG] [--insecure-registry HOST]... [--from REPO] [--chunk-size BYTES]   (the runtime image, same digest)';

/** Per request, body included: longer than a lookup's 20 s, a blob of some MB may go over a slow link. */
export const PUSH_TIMEOUT_MS = 120_000;

export interface PushArgs {
  ref: ImageRef;
  tag: string;
  insecureRegistries: string[];
  from?: string;
  chunk: number;
}

export interface PushEnv {
  stderr(text: string): void;
  /** The network and config.json (src/cli/node-registry.ts on Node). */
  ports: ResolvePorts;
  /** The OCI layout to push; default the one the package ships. */
  layoutDir?: string;
  timeoutMs?: number;
}

/** Parses the arguments after `push`; a string is the usage error. */
export function parsePushArgs(argv: readonly string[]): PushArgs | string {
  let target: string | undefined;
  const insecureRegistries: string[] = [];
  let from: string | undefined;
  let chunk = DEFAULT_CHUNK_BYTES;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = argv[i + 1];
    if ((a === '--insecure-registry' || a === '--from' || a === '--chunk-size') && (value === undefined || value.startsWith('-'))) return `${a} needs a value`;
    if (a === '--insecure-registry') insecureRegistries.push(argv[++i]!);
    else if (a === '--from') from = argv[++i]!;
    else if (a === '--chunk-size') {
      chunk = Number(argv[++i]);
      if (!Number.isSafeInteger(chunk) || chunk < 1) return `--chunk-size ${value} is not a positive number of bytes`;
    } else if (a.startsWith('-') || target !== undefined) return `unexpected argument ${a}`;
    else target = a;
  }
  if (target === undefined) return 'REGISTRY/REPO[:TAG] is missing';
  let ref: ImageRef;
  try {
    ref = parseReference(target);
  } catch (e) {
    if (e instanceof ImageReferenceError) return e.message;
    throw e;
  }
  if (ref.digest) return `"${target}": push to a tag, not a digest (the digest is the image's own)`;
  const tagged = /:[^/]*$/.test(target);
  const tag = tagged ? ref.tag! : RUNTIME_IMAGE_TAG.slice(RUNTIME_IMAGE_TAG.lastIndexOf(':') + 1);
  return { ref: { ...ref, tag }, tag, insecureRegistries, ...(from ? { from } : {}), chunk };
}

/** `REGISTRY/REPO:TAG` as the user named it (without the tag they may have left out). */
function named(args: PushArgs): string {
  const original = args.ref.original;
  return `${/:[^/]*$/.test(original) ? original.slice(0, original.lastIndexOf(':')) : original}:${args.tag}`;
}

async function push(args: PushArgs, env: PushEnv): Promise<string> {
  const t0 = Date.now();
  const layout = await readLayout(layoutDir(env.layoutDir ?? SHIPPED_LAYOUT));
  const ports = env.ports;
  const opts = { fetch: ports.fetch, timeoutMs: env.timeoutMs ?? PUSH_TIMEOUT_MS, insecureRegistries: args.insecureRegistries };
  const client = new PushClient(args.ref, { ...opts, dockerConfig: new DockerConfig(ports.dockerConfig) }, args.from);
  const s = await pushLayout(client, layout, args.tag, args.chunk);
  const back = await client.manifest(args.ref, args.tag);
  if (back.digest !== s.digest)
    throw new RegistryError(
      'registry-digest-mismatch',
      `registry ${args.ref.registry}: after the push, ${args.ref.repository}:${args.tag} names ${back.digest}, not ${s.digest}`,
      'Something else pushed to the same tag at the same time, or the registry rewrites manifests; push again.',
    );
  const b = s.blobs;
  const requests = Object.values(client.counts).reduce((n, c) => n + c, 0);
  const use = `${named(args)}@${s.digest}`;
  return (
    `startorder: pushed ${use} (${s.platforms.join(', ')}; blobs: ${b.uploaded} uploaded${b.chunked ? ` (${b.chunked} in chunks)` : ''}, ` +
    `${b.mounted} mounted, ${b.present} already there; ${b.bytes} bytes sent; ${requests} requests; ${Date.now() - t0} ms)\n` +
    `  use it: --runtime-image ${use}\n  or in the spec: runtime.image: ${use}\n`
  );
}

/** Runs the push; 0 when the tag names the pinned digest afterwards, 1 for a registry refusal, 2 for usage, 3 for a broken package. */
export async function pushCommand(argv: readonly string[], env: PushEnv): Promise<number> {
  const args = parsePushArgs(argv);
  if (typeof args === 'string') {
    env.stderr(`startorder: runtime-image push: ${args}\nstartorder: ${PUSH_USAGE}\n`);
    return ExitCode.usage;
  }
  try {
    env.stderr(await push(args, env));
    return ExitCode.ok;
  } catch (e) {
    if (e instanceof RegistryError) env.stderr(`startorder: error[${e.code}]: cannot push to ${named(args)}: ${e.message}\n  fix: ${e.hint}\n`);
    else if (e instanceof DockerConfigError)
      env.stderr(`startorder: error[docker-config-invalid]: ${e.message}\n  fix: Fix the Docker config file, or point DOCKER_CONFIG at another directory.\n`);
    else if (e instanceof LayoutError) env.stderr(unusableLayout(e));
    else throw e;
    return e instanceof LayoutError ? ExitCode.internal : ExitCode.findings;
  }
}
