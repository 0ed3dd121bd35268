/** The flags, once: the quick parser (parseArgs) and yargs (help, usage errors) are both made from OPTIONS. */
import { parseArgs } from 'node:util';
import { DEFAULT_LOCK_FILE } from '../resolve/lockfile.js';
import type { Mode } from '../types.js';

/** The command line as `run` reads it: the files, and every flag with its default applied. */
export interface Common {
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

/** A usage error: exit 2 with the message and a pointer to --help. */
export class UsageError extends Error {}

export const COMMANDS = ['transform', 'check', 'graph', 'explain', 'revert'];

export interface OptionSpec {
  type: 'string' | 'boolean';
  alias?: string;
  choices?: readonly string[];
  /** Repeatable: the values are collected into a list. */
  multiple?: boolean;
  default?: string | boolean;
  description: string;
}

/** Every flag, once: both the quick parser and yargs (help, usage errors) are made from this table. */
export const OPTIONS: Record<string, OptionSpec> = {
  config: { type: 'string', alias: 'c', multiple: true, description: 'file with StartOrder specs (repeatable: -c a.yaml -c b.yaml)' },
  output: { type: 'string', alias: 'o', choices: ['yaml', 'json'], description: 'output format (default: as the input)' },
  write: { type: 'boolean', alias: 'w', default: false, description: 'rewrite the files in place, atomically' },
  mode: { type: 'string', choices: ['auto', 'wrapper', 'native'], description: 'default mode for specs that do not set one' },
  'kubernetes-version': { type: 'string', description: 'target cluster version for specs that do not set one, e.g. 1.33' },
  'runtime-image': { type: 'string', description: 'the startorder-entrypoint image for specs that do not set one' },
  format: { type: 'string', choices: ['mermaid', 'dot', 'json'], default: 'mermaid', description: 'graph: output format' },
  'resolve-images': {
    type: 'boolean',
    default: false,
    description: 'look up ENTRYPOINT/CMD of images used without command (OCI registry API), recorded in the lock file',
  },
  locked: { type: 'boolean', default: false, description: 'take image entrypoints from the lock file only; an image it lacks is an error (no network)' },
  'lock-file': { type: 'string', default: DEFAULT_LOCK_FILE, description: 'the lock file of --resolve-images (YAML, or JSON when it ends in .json)' },
  platform: { type: 'string', description: 'platform of multi-arch images, os/arch[/variant] (default linux/amd64)' },
  'insecure-registry': {
    type: 'string',
    multiple: true,
    description: 'registry host[:port] reached over plain HTTP (repeatable; loopback registries always are)',
  },
  'error-format': { type: 'string', choices: ['text', 'json'], default: 'text', description: 'how diagnostics are written to stderr' },
};

/** Flag values as either parser returns them → the one shape `run` reads, defaults applied. */
export function toCommon(values: Record<string, unknown>, files: string[]): Common {
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
export function quickParse(argv: readonly string[]): { command: string; args: Common } | undefined {
  if (argv.some((a) => a === '--help' || a === '-h' || a === '--version' || a === 'help')) return undefined;
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(
        Object.entries(OPTIONS).map(([name, o]) => [name, { type: o.type, ...(o.alias ? { short: o.alias } : {}), ...(o.multiple ? { multiple: true } : {}) }]),
      ),
    });
    for (const [name, o] of Object.entries(OPTIONS)) {
      const v = (values as Record<string, unknown>)[name];
      if (o.choices && typeof v === 'string' && !o.choices.includes(v)) return undefined;
    }
    const command = positionals[0] !== undefined && COMMANDS.includes(positionals[0]) ? positionals.shift()! : 'transform';
    return { command, args: toCommon(values, positionals) };
  } catch {
    return undefined;
  }
}
