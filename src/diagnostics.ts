/** Diagnostics are data: stages collect them; one renderer turns them into text or KRM results. */
export type Code =
  | 'yaml-syntax'
  | 'input-too-deep'
  | 'yaml-alias-limit'
  | 'json-syntax'
  | 'spec-invalid'
  | 'spec-ambiguous'
  | 'spec-selects-nothing'
  | 'spec-annotation-invalid'
  | 'function-config-invalid'
  | 'resource-list-invalid'
  | 'unknown-container'
  | 'duplicate-container'
  | 'duplicate-spec-container'
  | 'self-dependency'
  | 'cycle'
  | 'completed-would-restart'
  | 'missing-command'
  | 'native-impossible'
  /** runtime.delivery image on a target without image volumes (before 1.31), or with them behind a feature gate (1.31-1.34). */
  | 'image-volume-impossible'
  | 'image-volume-gated'
  | 'name-clash'
  | 'mount-clash'
  | 'init-dependent'
  | 'readiness-unsupported'
  | 'readiness-port-unknown'
  /** A probe edge (a dependency with ready) that cannot work: a condition a probe cannot tell, an init container waiting. */
  | 'probe-invalid'
  /** A container waits for a `wrap: false` container without a probe (its status files are never written). */
  | 'unwrapped-dependency'
  /** A `wrap: false` container that waits for others or has a ready of its own: both need the wrapper. */
  | 'unwrapped-waits'
  | 'schema-violation'
  | 'graph-not-preserved'
  | 'record-invalid'
  /** Image lookup (--resolve-images, --locked): one code per cause; docs/resolve-images.md lists them. */
  | 'image-not-locked'
  | 'lock-mismatch'
  | 'lock-invalid'
  | 'image-reference-invalid'
  | 'platform-invalid'
  | 'platform-not-found'
  | 'platform-mismatch'
  | 'docker-config-invalid'
  | 'registry-unreachable'
  | 'registry-timeout'
  | 'registry-tls'
  | 'registry-unauthorized'
  | 'registry-forbidden'
  | 'registry-auth-invalid'
  | 'registry-insecure-token'
  | 'registry-not-found'
  | 'registry-rate-limited'
  | 'registry-server-error'
  | 'registry-bad-response'
  | 'registry-digest-mismatch'
  | 'image-manifest-invalid'
  | 'image-manifest-unsupported'
  | 'image-no-config'
  | 'image-incomplete'
  | 'image-config-invalid'
  /** An entry of an input directory that is not read (a dangling symlink, a FIFO). */
  | 'input-skipped'
  /** An input whose bytes are not UTF-8 text. */
  | 'input-not-utf8'
  /** One file given both with -c and as an input. */
  | 'spec-given-twice'
  /** --write (or the lock file) could not be written: the file system said no. */
  | 'write-failed'
  /** A spec's selector names a resource whose kind startorder does not rewrite. */
  | 'not-a-workload'
  /** A document or functionConfig says kind StartOrder, but not apiVersion startorder.dev/v1alpha1. */
  | 'spec-api-version'
  /** Function mode: no spec anywhere (functionConfig, -c, pod template annotations). */
  | 'no-spec'
  /** Function mode: a StartOrder among the items, which a function does not read as its spec. */
  | 'spec-item-ignored'
  /** Function mode: a command-line flag that has no meaning there. */
  | 'flag-unsupported'
  /** A word of a rewritten command that YAML reads as a number, a boolean or null. */
  | 'non-string-word'
  /** A rewritten workload changed by hand since, in a way that cannot be carried forward. */
  | 'record-mismatch'
  /** A native sidecar's own startupProbe, replaced by the one built from the spec's ready. */
  | 'startup-probe-replaced'
  /** A wait for Ready on a native sidecar that has no startupProbe: Kubernetes orders it as Started. */
  | 'ready-is-started';

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  code: Code;
  severity: Severity;
  message: string;
  /** How to fix it, one sentence. */
  hint?: string;
  file?: string;
  /** Index of the YAML document in the file (0-based). */
  document?: number;
  /** JSON path inside the document (for `kind: List`, starts with items, N). */
  path?: (string | number)[];
  line?: number;
  column?: number;
  /** `Kind/namespace/name` of the workload, when the problem is in one. */
  workload?: string;
  container?: string;
  /** The image an image-lookup diagnostic is about, until the pipeline places it at a container. */
  image?: string;
  /** KRM resourceRef, filled for workload diagnostics. */
  resource?: { apiVersion?: string; kind?: string; name?: string; namespace?: string };
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}

/** Deterministic order: file, document, line, column, path, code. */
export function sortDiagnostics(diags: readonly Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic): (string | number)[] => [d.file ?? '', d.document ?? -1, d.line ?? 0, d.column ?? 0, (d.path ?? []).join('.'), d.code, d.message];
  return [...diags].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) {
      const x = ka[i]!;
      const y = kb[i]!;
      if (x < y) return -1;
      if (x > y) return 1;
    }
    return 0;
  });
}

/** file:line:col: severity[code]: message (workload, container) — then the hint and a caret excerpt. */
export function renderText(d: Diagnostic, sources?: ReadonlyMap<string, string>): string {
  const where = [d.file ?? '<input>', d.line, d.column].filter((x) => x !== undefined).join(':');
  const subject = [d.workload, d.container ? `container "${d.container}"` : undefined].filter(Boolean).join(', ');
  let out = `${where}: ${d.severity}[${d.code}]: ${d.message}`;
  if (subject) out += ` (${subject})`;
  const text = d.file && d.line ? sources?.get(d.file) : undefined;
  if (text !== undefined && d.line !== undefined) {
    const lineText = text.split('\n')[d.line - 1];
    if (lineText !== undefined && lineText.length <= 200) {
      out += `\n  ${d.line} | ${lineText}\n  ${' '.repeat(String(d.line).length)} | ${' '.repeat(Math.max(0, (d.column ?? 1) - 1))}^`;
    }
  }
  if (d.hint) out += `\n  fix: ${d.hint}`;
  return out;
}
