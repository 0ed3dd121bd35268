// Shared helpers for the e2e scenarios: kubectl, the real startorder CLI, waits, workload logs.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, statSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const WORKLOAD_IMAGE = 'localhost/startorder/workload:e2e';
/** The digest of the runtime image index the CLI pins (and the package ships in runtime-image/). */
export const RUNTIME_IMAGE_DIGEST = /RUNTIME_IMAGE_DIGEST = '(sha256:[0-9a-f]{64})'/.exec(
  readFileSync(join(REPO, 'src', 'generated', 'runtime-image.ts'), 'utf8'),
)?.[1];
/**
 * The runtime image as the scenarios name it: by digest, in the registry up.sh runs in the cluster's
 * network namespace, where scripts/e2e.mjs pushed it with `startorder runtime-image push` (and sets
 * E2E_RUNTIME_IMAGE to the same reference). The kubelet pulls it from there.
 */
export const RUNTIME_IMAGE = process.env.E2E_RUNTIME_IMAGE || `127.0.0.1:5000/startorder/entrypoint:v0.1.0@${RUNTIME_IMAGE_DIGEST}`;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class AssertionError extends Error {}
export function assert(cond, msg) {
  if (!cond) throw new AssertionError(msg);
}

/**
 * The kubectl to use for a cluster: up.sh writes STATE_DIR/kubectl, a wrapper that runs kubectl
 * inside the cluster's network namespace (the apiserver's 127.0.0.1 is not the host's). The one
 * place that picks it; falls back to STATE_DIR/bin-dir/kubectl, then "kubectl" from PATH.
 */
export function kubectlFor(kubeconfig) {
  if (!kubeconfig) return 'kubectl';
  const dir = dirname(kubeconfig);
  if (existsSync(join(dir, 'kubectl'))) return join(dir, 'kubectl');
  if (existsSync(join(dir, 'bin-dir'))) return join(readFileSync(join(dir, 'bin-dir'), 'utf8').trim(), 'kubectl');
  return 'kubectl';
}

/** Context shared by all scenarios: set by the runner. */
export const env = {
  kubeconfig: process.env.KUBECONFIG,
  kubectl: 'kubectl', // set by the runner, normally kubectlFor(kubeconfig)
  stateDir: undefined, // the cluster's STATE_DIR (kubelet root = STATE_DIR/kubelet)
};

export function kubectl(args, { input, allowFail = false, timeoutMs = 60000 } = {}) {
  const r = spawnSync(env.kubectl, args, {
    input,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, KUBECONFIG: env.kubeconfig },
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0 && !allowFail) {
    throw new Error(`kubectl ${args.join(' ')} failed (${r.status}): ${r.stderr || r.error}`);
  }
  return r;
}

/** async variant: does not block the event loop (scenarios run concurrently). */
export function kubectlAsync(args, { input, allowFail = false, timeoutMs = 60000 } = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(env.kubectl, args, { env: { ...process.env, KUBECONFIG: env.kubeconfig } });
    let stdout = '',
      stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (status) => {
      clearTimeout(t);
      const r = { status, stdout, stderr };
      if (status !== 0 && !allowFail) reject(new Error(`kubectl ${args.join(' ')} failed (${status}): ${stderr}`));
      else resolve(r);
    });
    if (input !== undefined) p.stdin.end(input);
    else p.stdin.end();
  });
}

export async function getJSON(args) {
  const r = await kubectlAsync([...args, '-o', 'json'], { allowFail: true });
  if (r.status !== 0) return undefined;
  return JSON.parse(r.stdout);
}

export function toYaml(docs) {
  return docs.map((d) => YAML.stringify(d, { aliasDuplicateObjects: false, version: '1.1' })).join('---\n');
}

/**
 * Run the real CLI: node bin/startorder.js -c SPEC IN --runtime-image ... [extra].
 * Returns { stdout, stderr, status, docs }.
 */
export function transform(spec, manifests, extra = []) {
  const dir = mkdtempSync(join(tmpdir(), 'so-e2e-'));
  const specFile = join(dir, 'startorder.yaml');
  const inFile = join(dir, 'in.yaml');
  writeFileSync(specFile, typeof spec === 'string' ? spec : toYaml([spec]));
  writeFileSync(inFile, typeof manifests === 'string' ? manifests : toYaml(manifests));
  const args = [join(REPO, 'bin', 'startorder.js'), '-c', specFile, '--runtime-image', RUNTIME_IMAGE, ...extra, inFile];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  writeFileSync(join(dir, 'out.yaml'), r.stdout || '');
  if (r.status !== 0) {
    // keep the inputs for a reproduction
    throw new Error(`startorder ${args.slice(1).join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  if (!process.env.E2E_KEEP) rmSync(dir, { recursive: true, force: true });
  const docs = YAML.parseAllDocuments(r.stdout)
    .map((d) => d.toJS())
    .filter(Boolean);
  return { ...r, docs, dir, out: r.stdout };
}

export async function apply(yamlText, ns) {
  const args = ['apply', '-f', '-'];
  if (ns) args.unshift('-n', ns);
  return kubectlAsync(args, { input: yamlText });
}

export async function createNamespace(name, labels = {}) {
  await kubectlAsync(['delete', 'namespace', name, '--ignore-not-found', '--wait=true'], { allowFail: true, timeoutMs: 120000 });
  await apply(toYaml([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }]));
  // the ServiceAccount admission plugin rejects pods until "default" exists
  await waitFor(async () => (await kubectlAsync(['-n', name, 'get', 'sa', 'default'], { allowFail: true })).status === 0, 30000, `sa default in ${name}`);
}

export async function waitFor(fn, timeoutMs, what, periodMs = 250) {
  const t0 = Date.now();
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() - t0 > timeoutMs) throw new AssertionError(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(periodMs);
  }
}

export const getPod = (ns, name) => getJSON(['-n', ns, 'get', 'pod', name]);

export function containerStatus(pod, name) {
  const all = [...(pod?.status?.initContainerStatuses || []), ...(pod?.status?.containerStatuses || [])];
  return all.find((c) => c.name === name);
}

/** Parse the workload's JSON lines (the wrapper's own stderr lines are ignored). */
export function parseEvents(text) {
  const ev = [];
  for (const line of text.split('\n')) {
    const s = line.trim();
    if (!s.startsWith('{')) continue;
    try {
      const o = JSON.parse(s);
      if (o.event) ev.push(o);
    } catch {
      // a line that is not the wrapper's JSON log: the child's own output
    }
  }
  return ev;
}

export async function logs(ns, pod, container, { previous = false } = {}) {
  const args = ['-n', ns, 'logs', pod, '-c', container];
  if (previous) args.push('--previous');
  const r = await kubectlAsync(args, { allowFail: true });
  return { text: r.stdout + (r.status !== 0 ? r.stderr : ''), events: parseEvents(r.stdout), ok: r.status === 0 };
}

/** first event of a kind, e.g. ev(events, "start").ts (unix nanos as Number; sub-µs precision is lost, fine). */
export function ev(events, kind) {
  return events.find((e) => e.event === kind);
}

/** Collect every container's events of a pod: { name: events[] } */
export async function podEvents(ns, pod, containers) {
  const out = {};
  for (const c of containers) out[c] = (await logs(ns, pod, c)).events;
  return out;
}

/** Wait until each named container logged a given event. */
export async function waitEvents(ns, pod, wanted, timeoutMs = 60000) {
  // wanted: { container: "start" | "ready" | ... }
  let last;
  await waitFor(
    async () => {
      last = {};
      for (const [c, kind] of Object.entries(wanted)) {
        const l = await logs(ns, pod, c);
        last[c] = l.events;
        if (!ev(l.events, kind)) return false;
      }
      return true;
    },
    timeoutMs,
    `${ns}/${pod} events ${JSON.stringify(wanted)}`,
    300,
  );
  return last;
}

export const ms = (a, b) => (b - a) / 1e6; // nanos → ms

/** Host path of an emptyDir file of a pod (kubelet root = STATE_DIR/kubelet). */
export function emptyDirPath(podUid, volume, file) {
  if (!env.stateDir) return undefined;
  return join(env.stateDir, 'kubelet', 'pods', podUid, 'volumes', 'kubernetes.io~empty-dir', volume, file);
}

/** mtime in unix nanos (BigInt → Number) of a host file, or undefined. */
export function mtimeNs(path) {
  if (!path || !existsSync(path)) return undefined;
  return Number(statSync(path, { bigint: true }).mtimeNs);
}

/** A workload container. */
export function wl(name, args = [], extra = {}) {
  return {
    name,
    image: WORKLOAD_IMAGE,
    imagePullPolicy: 'Never',
    command: ['/workload'],
    args: [`-name=${name}`, ...args],
    ...extra,
  };
}

export function pod(name, containers, spec = {}, meta = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...meta },
    spec: { dnsPolicy: 'Default', terminationGracePeriodSeconds: 15, containers, ...spec },
  };
}

export function soSpec(name, containers, spec = {}) {
  return {
    apiVersion: 'startorder.dev/v1alpha1',
    kind: 'StartOrder',
    metadata: { name },
    // IfNotPresent: the kubelet pulls the runtime image (by digest) from the cluster's registry once
    spec: { runtime: { imagePullPolicy: 'IfNotPresent' }, containers, ...spec },
  };
}

export const modeArgs = (mode) => (mode === 'native' ? { mode: 'native', kubernetesVersion: '1.34' } : { mode: 'wrapper' });

export function fmtMs(x) {
  return x === undefined || Number.isNaN(x) ? 'n/a' : `${x.toFixed(1)} ms`;
}

export { YAML, readdirSync, existsSync };

/** RFC 3339 with nanoseconds → unix nanos (Number). */
export function rfc3339ToNs(s) {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(s.trim());
  if (!m) return undefined;
  const base = Date.parse(m[1] + m[3]);
  return base * 1e6 + Number((m[2] || '').padEnd(9, '0').slice(0, 9));
}

/** A wrapper status file (/startorder/run/<c>/<file>) read from the host, as unix nanos. */
export function statusFileNs(podUid, container, file) {
  const p = emptyDirPath(podUid, 'startorder-run', `${container}/${file}`);
  if (!p || !existsSync(p)) return undefined;
  return rfc3339ToNs(readFileSync(p, 'utf8'));
}

/** containerd's socket of the cluster under test (up.sh records it in STATE_DIR/containerd-address). */
function containerdAddress() {
  const f = env.stateDir && join(env.stateDir, 'containerd-address');
  if (f && existsSync(f)) return readFileSync(f, 'utf8').trim();
  return join(env.stateDir || '', 'containerd', 'containerd.sock');
}

/** The host PID of a running container's first process (the wrapper, where startorder wraps it). */
export function taskPid(containerID) {
  const id = String(containerID || '').replace(/^[a-z]+:\/\//, '');
  const r = spawnSync('ctr', ['--address', containerdAddress(), '-n', 'k8s.io', 'task', 'ls'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ctr task ls failed: ${r.stderr}`);
  for (const line of r.stdout.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === id && f[2] === 'RUNNING') return Number(f[1]);
  }
  return undefined;
}

/**
 * SIGKILL a container's process from the node (no chance to write anything; the kernel kills the rest
 * of its PID namespace). Returns the pid and the restartCount it had, so callers can wait for the next one.
 */
export async function sigkillContainer(ns, podName, container) {
  const p = await getPod(ns, podName);
  const st = containerStatus(p, container);
  assert(st?.state?.running, `${container} is not running: ${JSON.stringify(st?.state)}`);
  const pid = taskPid(st.containerID);
  assert(pid > 1, `no host pid for ${container} (${st.containerID})`);
  process.kill(pid, 'SIGKILL');
  return { pid, restartCount: st.restartCount, at: Date.now() };
}

/** Wait until a container runs again after `restartCount` restarts, and its current log has `event`. */
export async function waitRestarted(ns, podName, container, restartCount, event, timeoutMs = 90000) {
  return waitFor(
    async () => {
      const st = containerStatus(await getPod(ns, podName), container);
      if (!st || st.restartCount <= restartCount || !st.state?.running) return false;
      const l = await logs(ns, podName, container);
      const e = l.events.filter((x) => x.event === event);
      return e.length ? { status: st, events: l.events, event: e[e.length - 1] } : false;
    },
    timeoutMs,
    `${container} restarted (> ${restartCount}) and logged ${event}`,
    300,
  );
}

export const podReady = (p) => (p?.status?.conditions || []).some((c) => c.type === 'Ready' && c.status === 'True');
