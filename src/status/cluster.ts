// The Kubernetes API through @kubernetes/client-node, loaded here only (a dynamic import: it takes
// seconds to load, and no other command needs it). Every failure becomes a StatusError with one
// line for the user and the exit code it maps to.
import { Writable } from 'node:stream';
import type * as K8s from '@kubernetes/client-node';
import type { Obj } from '../types.js';
import { StatusError, type Target } from './kubeconfig.js';
import { StatusExit } from './exit.js';
import { kubeConfig } from './kubeconfig.js';

export { StatusError, type Target } from './kubeconfig.js';

export interface Cluster {
  namespace: string;
  server: string;
  getPod(name: string): Promise<Obj>;
  /** The container's log with timestamps (its last 2,000 lines), or why it could not be read. */
  logs(pod: string, container: string): Promise<{ text: string } | { error: string }>;
  /** Runs argv in the container; stdout+stderr and whether it ended with exit 0. */
  exec(pod: string, container: string, argv: string[], timeoutMs: number): Promise<{ ok: boolean; output: string }>;
}

async function load(): Promise<typeof K8s> {
  try {
    return await import('@kubernetes/client-node');
  } catch (e) {
    throw new StatusError(`cannot load @kubernetes/client-node (${(e as Error).message}); reinstall startorder`, StatusExit.internal);
  }
}

/** An error of the API client → one line and an exit code. */
export function classify(e: unknown, what: string, server: string): StatusError {
  if (e instanceof StatusError) return e;
  const err = e as { code?: unknown; message?: string; body?: unknown };
  const status = typeof err.code === 'number' ? err.code : undefined;
  if (status === 404) return new StatusError(`${what} not found`, StatusExit.notFound);
  if (status === 401) return new StatusError(`the API server ${server} refused the credentials (401 Unauthorized)`, StatusExit.unreachable);
  if (status === 403) return new StatusError(`not allowed to read ${what} (403 Forbidden): ${apiMessage(err.body)}`, StatusExit.unreachable);
  if (status !== undefined) return new StatusError(`the API server ${server} answered ${status} for ${what}: ${apiMessage(err.body)}`, StatusExit.unreachable);
  const net = typeof err.code === 'string' ? ` (${err.code})` : '';
  const msg = String(err.message ?? e).split('\n')[0];
  return new StatusError(`cannot reach the API server ${server}${net}: ${msg}`, StatusExit.unreachable);
}

function apiMessage(body: unknown): string {
  if (typeof body === 'string') {
    try {
      const o = JSON.parse(body) as { message?: unknown };
      if (typeof o.message === 'string') return o.message;
    } catch {
      return body.slice(0, 200);
    }
  }
  const o = body as { message?: unknown } | undefined;
  return typeof o?.message === 'string' ? o.message : 'no message';
}

/** Options of one API call that abort it after t.requestTimeoutMs (the request's socket is closed too). */
type CallOptions = K8s.ConfigurationOptions;

async function limited<T>(k: typeof K8s, t: Target, call: (options?: CallOptions) => Promise<T>): Promise<T> {
  const ms = t.requestTimeoutMs ?? 0;
  if (ms <= 0) return call();
  const signal = AbortSignal.timeout(ms);
  const options: CallOptions = {
    middleware: [{ pre: (c) => (c.setSignal(signal), new k.Observable(Promise.resolve(c))), post: (c) => new k.Observable(Promise.resolve(c)) }],
    middlewareMergeStrategy: 'append',
  };
  try {
    return await call(options);
  } catch (e) {
    if (signal.aborted) throw new TimeoutError(ms);
    throw e;
  }
}

class TimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(ms: number) {
    super(`no answer within ${ms / 1000}s (--request-timeout)`);
  }
}

export async function connect(t: Target): Promise<Cluster> {
  const k = await load();
  const kc = kubeConfig(k, t);
  const server = kc.getCurrentCluster()!.server;
  const namespace = t.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  const core = kc.makeApiClient(k.CoreV1Api);
  return {
    namespace,
    server,
    async getPod(name) {
      let pod: unknown;
      try {
        pod = await limited(k, t, (options) => core.readNamespacedPod({ name, namespace }, options));
      } catch (e) {
        throw classify(e, `pod ${namespace}/${name}`, server);
      }
      // a proxy or a wrong server can answer 200 with something else (an HTML page, {})
      const p = pod as { metadata?: unknown; spec?: { containers?: unknown } } | undefined;
      if (!p || typeof p !== 'object' || typeof p.metadata !== 'object' || !Array.isArray(p.spec?.containers))
        throw new StatusError(`${server} answered the request for pod ${namespace}/${name} with something that is not a Pod`, StatusExit.unreachable);
      return pod as Obj;
    },
    async logs(pod, container) {
      try {
        return { text: await limited(k, t, (o) => core.readNamespacedPodLog({ name: pod, namespace, container, timestamps: true, tailLines: 2000 }, o)) };
      } catch (e) {
        return { error: classify(e, `the log of ${container}`, server).message };
      }
    },
    exec: (pod, container, argv, timeoutMs) => execIn(new k.Exec(kc), namespace, pod, container, argv, timeoutMs),
  };
}

function execIn(ex: K8s.Exec, ns: string, pod: string, container: string, argv: string[], timeoutMs: number): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    let output = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        if (output.length < 1 << 20) output += chunk.toString('utf8');
        done();
      },
    });
    let socket: { close(): void } | undefined;
    const finish = (ok: boolean, extra = '') => {
      clearTimeout(timer);
      socket?.close();
      resolve({ ok, output: output + extra });
    };
    const timer = setTimeout(() => finish(false, `\n(no answer within ${timeoutMs} ms)`), timeoutMs);
    ex.exec(ns, pod, container, argv, sink, sink, null, false, (s) => finish(s.status === 'Success', s.status === 'Success' ? '' : `\n${s.message ?? ''}`))
      .then((opened) => {
        const ws = opened as unknown as { on(event: 'close', f: () => void): void; close(): void };
        socket = ws;
        ws.on('close', () => setTimeout(() => finish(false, '\n(the connection closed without a status)'), 200));
      })
      .catch((e: unknown) => finish(false, `\n${(e as Error).message ?? String(e)}`));
  });
}
