/** The image source of --resolve-images / --locked, built from the flags and the IO's ports. */
import type { ImageSource } from '../pipeline/index.js';
import type { IO } from './io.js';
import { nodeRegistryPorts } from './node-registry.js';
import type { Common } from './options.js';

export async function imageSourceFor(io: IO, a: Common): Promise<ImageSource> {
  // Loaded only here: the everyday command line does not pay for it.
  const { lockFileSource, registrySource } = await import('../resolve/source.js');
  const lockFile = {
    file: a['lock-file'],
    read: () =>
      io.readFile(a['lock-file']).catch((e: NodeJS.ErrnoException) => {
        if (e?.code === 'ENOENT') return undefined;
        throw e;
      }),
  };
  const opts = { ...(a.platform ? { platform: a.platform } : {}), insecureRegistries: a['insecure-registry'] };
  if (a.locked) return lockFileSource(lockFile, opts);
  return registrySource(lockFile, opts, io.registryPorts?.() ?? nodeRegistryPorts());
}
