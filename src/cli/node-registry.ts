/** The ports of --resolve-images on Node: its fetch, and config.json from $DOCKER_CONFIG or ~/.docker. */
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DockerConfigSource, ResolvePorts } from '../resolve/index.js';

/** `<dir>/config.json`; dir defaults to `$DOCKER_CONFIG`, else `~/.docker`. A missing file reads as undefined. */
export function nodeDockerConfig(dir: string = process.env.DOCKER_CONFIG || join(homedir(), '.docker')): DockerConfigSource {
  const path = join(dir, 'config.json');
  return {
    path,
    read: () =>
      fs.readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return undefined;
        throw e;
      }),
  };
}

export function nodeRegistryPorts(dockerConfigDir?: string): ResolvePorts {
  return { fetch: globalThis.fetch, dockerConfig: nodeDockerConfig(dockerConfigDir) };
}
