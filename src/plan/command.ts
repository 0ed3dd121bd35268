import type { ImageEntry, Obj } from '../types.js';

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

/**
 * The command line the container runs today: `command` + `args`, or the image's ENTRYPOINT and CMD
 * from the spec's images table (a container's own `args` replace the image's CMD, as in Kubernetes).
 */
export function originalArgv(container: Obj, images: readonly ImageEntry[]): string[] | undefined {
  const command = strings(container.command);
  const args = strings(container.args);
  if (command && command.length > 0) return [...command, ...(args ?? [])];
  const entry = images.find((i) => i.image === container.image);
  if (!entry) return undefined;
  const argv = [...entry.command, ...(args ?? entry.args ?? [])];
  return argv.length > 0 ? argv : undefined;
}
