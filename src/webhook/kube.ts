/**
 * The Kubernetes API for the webhook and `webhook certs`: the kubeconfig and credentials from
 * @kubernetes/client-node (loaded only here, only by these commands), requests made with node:https.
 * --kubeconfig, else $KUBECONFIG, ~/.kube/config, else the pod's service account (loadFromDefault).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { kubeConfig } from '../status/kubeconfig.js';

export interface Transport {
  /** The API server's URL (for messages). */
  server: string;
  /** A request whose response is read as a stream (watch) or as JSON (see `json`). */
  open(method: string, path: string, body?: { type: string; text: string }, signal?: AbortSignal): Promise<IncomingMessage>;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** No kubeconfig, or one that cannot be read: a usage error (exit 2). */
export class ConfigError extends Error {}

export async function kubeTransport(kubeconfig?: string): Promise<Transport> {
  const k8s = await import('@kubernetes/client-node');
  // the kubeconfig as `startorder status` (and kubectl) reads it: one loader for both commands
  let kc: InstanceType<typeof k8s.KubeConfig>;
  try {
    kc = kubeConfig(k8s, { ...(kubeconfig ? { kubeconfig } : {}), env: process.env });
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const cluster = kc.getCurrentCluster()!;
  const server = cluster.server.replace(/\/$/, '');
  return {
    server,
    async open(method, path, body, signal) {
      const url = new URL(server + path);
      const opts: RequestOptions = { method, headers: { accept: 'application/json', ...(body ? { 'content-type': body.type } : {}) } };
      await kc.applyToHTTPSOptions(opts);
      const plain = url.protocol === 'http:';
      if (plain) delete opts.agent;
      return new Promise((resolve, reject) => {
        const req = (plain ? httpRequest : httpsRequest)(url, { ...opts, ...(signal ? { signal } : {}) }, resolve);
        req.on('error', (e) => reject(new ApiError(`${method} ${url.pathname}: ${e.message}`)));
        req.end(body?.text);
      });
    },
  };
}

export async function readAll(res: IncomingMessage): Promise<string> {
  let text = '';
  res.setEncoding('utf8');
  for await (const chunk of res) text += chunk as string;
  return text;
}

/** A request answered with JSON; a status of 400 or more is an ApiError carrying the API's message. */
export async function json(t: Transport, method: string, path: string, body?: { type: string; value: unknown }): Promise<unknown> {
  const res = await t.open(method, path, body ? { type: body.type, text: JSON.stringify(body.value) } : undefined);
  const text = await readAll(res);
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    value = undefined;
  }
  const status = res.statusCode ?? 0;
  if (status >= 400) {
    const message = (value as { message?: string } | undefined)?.message ?? text.slice(0, 200);
    throw new ApiError(`${method} ${path}: ${status} ${message}`, status);
  }
  return value;
}

/** `1.33` from the API server's /version (gitVersion v1.33.1), or undefined when it cannot tell. */
export async function serverVersion(t: Transport): Promise<string | undefined> {
  const v = (await json(t, 'GET', '/version')) as { major?: string; minor?: string; gitVersion?: string } | undefined;
  const m = /^v?(\d+)\.(\d+)/.exec(v?.gitVersion ?? '');
  if (m) return `${m[1]}.${m[2]}`;
  const minor = /^\d+/.exec(v?.minor ?? '');
  return v?.major && minor ? `${v.major}.${minor[0]}` : undefined;
}
