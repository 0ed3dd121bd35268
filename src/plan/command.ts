import type { ImageEntry, Obj } from '../types.js';

/**
 * The words of a command or args list. A word YAML reads as a number or a boolean still counts as a
 * word here (the command exists): the rewrite refuses it with `non-string-word` and the fix.
 */
function strings(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.map((x) => (typeof x === 'string' ? x : x === null ? '' : typeof x === 'object' ? JSON.stringify(x) : String(x)));
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
