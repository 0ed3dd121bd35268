// Reading what the wrapper leaves behind: its termination message, its wait lines on stderr, and
// the status files of the run directory (as the wrapper's `status` mode prints them).

/** The wrapper's JSON termination message (runtime/README.md, "Termination message"). */
export interface TerminationMessage {
  waited?: string;
  started?: string;
  ready?: string;
  exited?: string;
  exitCode?: number;
  reason?: string;
}

const TIME_KEYS = ['waited', 'started', 'ready', 'exited'] as const;

/** The message when it is the wrapper's JSON object; undefined for anything else (a child's own text). */
export function parseTerminationMessage(text: unknown): TerminationMessage | undefined {
  if (typeof text !== 'string' || !text.trimStart().startsWith('{')) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const out: TerminationMessage = {};
  for (const k of TIME_KEYS) if (typeof o[k] === 'string' && !Number.isNaN(Date.parse(o[k]))) out[k] = o[k];
  if (typeof o.exitCode === 'number') out.exitCode = o.exitCode;
  if (typeof o.reason === 'string') out.reason = o.reason;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** One wait line of the wrapper, with the kubelet's timestamp. */
export interface WaitLine {
  at: string;
  kind: 'waiting' | 'waited' | 'gave-up';
  /** What it waits for, as the wrapper names it: "db ready", or a file's path. */
  for: string[];
  /** The rest of a "gave up" line: why. */
  why?: string;
}

const PREFIX = /^startorder(?:-entrypoint)?: /;

function names(list: string): string[] {
  return list
    .split(', ')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** One line of the wrapper (without the timestamp) → what it says about the wait, if anything. */
function waitLine(at: string, line: string): WaitLine | undefined {
  if (!PREFIX.test(line)) return undefined;
  const text = line.replace(PREFIX, '');
  let m = /^waiting (?:\S+ )?for (.+?)(?: \((?:no )?-wait_timeout[^)]*\))?$/.exec(text);
  if (m) return { at, kind: 'waiting', for: names(m[1]!) };
  m = /^waited \S+ for (.+?): starting the child$/.exec(text);
  if (m) return { at, kind: 'waited', for: names(m[1]!) };
  m = /^gave up after \S+ waiting for (.+?)(?:: (.*))?$/.exec(text);
  if (m) return { at, kind: 'gave-up', for: names(m[1]!), ...(m[2] ? { why: m[2] } : {}) };
  return undefined;
}

/** The wait lines of a log read with timestamps (`<RFC 3339> <line>` per line). */
export function parseWaitLines(log: string): WaitLine[] {
  const out: WaitLine[] = [];
  for (const raw of log.split('\n')) {
    const sp = raw.indexOf(' ');
    if (sp < 0) continue;
    const at = raw.slice(0, sp);
    if (Number.isNaN(Date.parse(at))) continue;
    const w = waitLine(at, raw.slice(sp + 1).replace(/\r$/, ''));
    if (w) out.push(w);
  }
  return out;
}

/** The status of one container's run directory entry, as the wrapper's `status` mode reports it. */
export interface StatusDir {
  /** File name (started, ready, completed, exited, started.err, …) → its content (a time, or the exit code). */
  files: Record<string, string>;
  lock?: 'held' | 'free' | 'absent';
  restartPolicy?: string;
}

/**
 * The output of `startorder-entrypoint status -run_dir /startorder/run` (requested from the runtime,
 * see docs/status.md): `{"v":1,"containers":{"<name>":{"files":{…},"lock":"held","restart_policy":"Never"}}}`.
 * Anything else is undefined: the caller falls back to logs and the pod status.
 */
export function parseStatusDirs(text: string): Record<string, StatusDir> | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  const o = v as { v?: unknown; containers?: unknown };
  if (typeof o !== 'object' || o === null || o.v !== 1 || typeof o.containers !== 'object' || o.containers === null) return undefined;
  const out: Record<string, StatusDir> = {};
  for (const [name, d] of Object.entries(o.containers as Record<string, unknown>)) {
    if (typeof d !== 'object' || d === null) continue;
    const e = d as { files?: unknown; lock?: unknown; restart_policy?: unknown };
    const files: Record<string, string> = {};
    if (typeof e.files === 'object' && e.files !== null) for (const [f, c] of Object.entries(e.files)) if (typeof c === 'string') files[f] = c.trim();
    out[name] = {
      files,
      ...(e.lock === 'held' || e.lock === 'free' || e.lock === 'absent' ? { lock: e.lock } : {}),
      ...(typeof e.restart_policy === 'string' ? { restartPolicy: e.restart_policy } : {}),
    };
  }
  return out;
}
