/**
 * The webhook's HTTPS server: routes, body limits, one JSON log line per admission, metrics. A
 * plain-TCP front reads the first byte of each connection: a TLS handshake goes on to the HTTPS
 * server, anything else (plain HTTP) gets a 400 saying so, and the connection is closed.
 */
import { createServer as createTlsServer, type Server as HttpsServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { readReview, reviewOf, type AdmissionRequest } from './admission.js';
import { Lru } from './cache.js';
import { Metrics } from './metrics.js';
import { mutate, type Answer, type MutateOptions, type StartOrderSource } from './mutate.js';
import { validateStartOrder } from './validate.js';

/** The apiserver's own limit on a request body (3 MiB): an AdmissionReview larger than this is refused. */
export const BODY_LIMIT = 3 * 1024 * 1024;
const TLS_HANDSHAKE = 0x16;

export interface ServerOptions {
  cert: string | Buffer;
  key: string | Buffer;
  store: StartOrderSource & { synced(): boolean };
  mutate: MutateOptions;
  /** One line per admission (JSON); default stdout. */
  log?: (line: string) => void;
  metrics?: Metrics;
  /** Answers kept by Pod and spec (cache.ts); default 512, 0: none. */
  cacheSize?: number;
}

export interface WebhookServer {
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** New certificate and key for new connections (a rotated Secret). */
  setCertificate(cert: string | Buffer, key: string | Buffer): void;
  /**
   * The replica is leaving (SIGTERM): every answer from now on closes its connection, so the
   * apiserver's next request opens a new connection, which the Service sends to a replica that
   * stays. Requests keep being answered until close().
   */
  drain(): void;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8', headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > BODY_LIMIT) return Promise.reject(new HttpError(413, `the body is ${declared} bytes; the limit is ${BODY_LIMIT} (3 MiB)`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > BODY_LIMIT) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, `the body is over the limit of ${BODY_LIMIT} bytes (3 MiB)`));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (e) {
    throw new HttpError(400, `the body is not JSON: ${(e as Error).message}`);
  }
}

/** What the log line says of the object: the pod's name, or its generateName with a `*`. */
function subject(r: AdmissionRequest): string | undefined {
  const meta = (r.object as { metadata?: { name?: string; generateName?: string } } | undefined)?.metadata;
  return meta?.name || (meta?.generateName ? `${meta.generateName}*` : undefined) || r.name || undefined;
}

const ROUTES: Record<string, string> = { '/mutate': 'POST', '/validate': 'POST', '/healthz': 'GET', '/readyz': 'GET', '/metrics': 'GET' };

function handler(o: ServerOptions, metrics: Metrics, log: (line: string) => void) {
  const size = o.cacheSize ?? 512;
  const options: MutateOptions = size > 0 ? { ...o.mutate, cache: new Lru<string>(size) } : o.mutate;
  const admit = async (req: IncomingMessage, res: ServerResponse, path: 'mutate' | 'validate'): Promise<void> => {
    const t0 = performance.now();
    let request: AdmissionRequest | undefined;
    try {
      const review = readReview(parseJson(await readBody(req)));
      if ('error' in review) throw new HttpError(400, review.error);
      request = review.request;
      const answer: Answer = path === 'mutate' ? mutate(request, o.store, options) : validateStartOrder(request, o.store);
      send(res, 200, JSON.stringify(reviewOf(answer.response)), 'application/json');
      const ms = performance.now() - t0;
      metrics.observe(path, answer.outcome, ms / 1000);
      log(
        JSON.stringify({
          path,
          uid: request.uid,
          namespace: request.namespace,
          name: subject(request),
          dryRun: request.dryRun ?? false,
          result: answer.outcome,
          ms: Number(ms.toFixed(3)),
        }),
      );
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 500;
      const message = e instanceof HttpError ? e.message : `internal error (please report it): ${(e as Error).message}`;
      send(res, status, `${message}\n`, undefined, status === 413 ? { connection: 'close' } : {});
      metrics.observe(path, `http-${status}`, (performance.now() - t0) / 1000);
      log(JSON.stringify({ path, uid: request?.uid, status, result: 'rejected', error: message, ms: Number((performance.now() - t0).toFixed(3)) }));
    }
  };
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'https://webhook').pathname;
    const method = ROUTES[path];
    if (method === undefined) return send(res, 404, `no such path: ${path} (POST /mutate, POST /validate, GET /healthz, /readyz, /metrics)\n`);
    if (req.method !== method) return send(res, 405, `${path} takes ${method}\n`, undefined, { allow: method });
    if (path === '/mutate' || path === '/validate') return void admit(req, res, path === '/mutate' ? 'mutate' : 'validate');
    if (path === '/healthz') return send(res, 200, 'ok\n');
    if (path === '/readyz') return o.store.synced() ? send(res, 200, 'ok\n') : send(res, 503, 'not ready: the StartOrders have not been listed yet\n');
    send(res, 200, metrics.render(), 'text/plain; version=0.0.4');
  };
}

/** Answers a connection that did not start with a TLS handshake. */
function refusePlain(socket: Socket): void {
  const body = 'This port speaks HTTPS only: the startorder webhook does not answer plain HTTP.\n';
  socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
}

function front(tls: HttpsServer): Server {
  return createNetServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.setTimeout(10_000, () => socket.destroy());
    socket.once('data', (chunk: Buffer) => {
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(chunk);
      if (chunk[0] === TLS_HANDSHAKE) tls.emit('connection', socket);
      else refusePlain(socket);
      process.nextTick(() => socket.resume());
    });
  });
}

/**
 * The HTTPS server's connections, busy or idle. Node tracks them only for a server that listens
 * itself, and this one is handed its sockets by the front: on close, idle ones go at once, busy ones
 * once their answer is written.
 */
function connections(tls: HttpsServer) {
  const busy = new Map<Socket, boolean>();
  let closing = false;
  let draining = false;
  tls.on('secureConnection', (s: Socket) => {
    busy.set(s, false);
    s.on('close', () => busy.delete(s));
  });
  // before the handler, so that a draining answer says `connection: close` in its headers
  tls.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const s = req.socket;
    busy.set(s, true);
    if (draining) res.shouldKeepAlive = false;
    // a socket goes only after an answer that said so: one that said keep-alive (sent before the
    // drain began) may already be reused by the client, whose request would meet a closed socket
    res.on('finish', () => (closing || !res.shouldKeepAlive ? s.destroySoon() : busy.set(s, false)));
  });
  return {
    // Idle connections are not closed here: a request the apiserver is writing onto one as it closes
    // would fail (it does not retry); the next answer on each closes it instead.
    drain(): void {
      draining = true;
    },
    close(): void {
      closing = true;
      for (const [s, b] of busy) if (!b) s.destroy();
      setTimeout(() => [...busy.keys()].forEach((s) => s.destroy()), 5000).unref();
    },
  };
}

export function webhookServer(o: ServerOptions): WebhookServer {
  const metrics = o.metrics ?? new Metrics();
  const log = o.log ?? ((line: string) => void process.stdout.write(`${line}\n`));
  // idle connections kept longer than the apiserver's client keeps them (90 s), so it is the one to close them
  const tls = createTlsServer({ cert: o.cert, key: o.key, keepAliveTimeout: 120_000 }, handler(o, metrics, log));
  tls.on('tlsClientError', () => undefined); // a failed handshake is the client's; the socket is closed
  const tracked = connections(tls);
  const net = front(tls);
  return {
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        net.once('error', reject);
        net.listen(port, host, () => resolve(net.address() as AddressInfo));
      }),
    setCertificate: (cert, key) => tls.setSecureContext({ cert, key }),
    drain: () => tracked.drain(),
    close: () =>
      new Promise((resolve) => {
        // no new connections; idle keep-alive ones now, requests in flight are answered first
        net.close(() => resolve());
        tracked.close();
      }),
  };
}
