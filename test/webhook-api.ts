/**
 * A Kubernetes API server for the store tests, as a real HTTP server on loopback speaking the
 * list/watch protocol: a List with metadata.resourceVersion, and watches as chunked streams of JSON
 * events, one per line. The test scripts what each watch does (send events, send a 410 ERROR, cut
 * the connection mid-line); every request is recorded. A kubeconfig file points client-node at it
 * (plain HTTP, which client-node accepts only with insecure-skip-tls-verify).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const LIST_PATH = '/apis/startorder.dev/v1alpha1/startorders';

export interface Watch {
  query: URLSearchParams;
  res: ServerResponse;
  send(type: string, object: any): void;
  /** Half an event, then the socket destroyed: a connection dropped mid-stream. */
  cut(): void;
  end(): void;
}

export class FakeApi {
  server: Server;
  port = 0;
  requests: { method: string; path: string; query: URLSearchParams; auth?: string }[] = [];
  items: any[] = [];
  resourceVersion = '10';
  /** While set, a list waits for it (readyz before the first sync). */
  listGate: Promise<void> | undefined;
  /** HTTP status for the next lists (e.g. 500, 404), then normal again. */
  listFailures: number[] = [];
  watches: Watch[] = [];
  extra?: (req: IncomingMessage, res: ServerResponse, body: string) => boolean;

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'startorder-kubeconfig-'));
    const file = join(dir, 'config');
    writeFileSync(
      file,
      `apiVersion: v1\nkind: Config\nclusters: [{name: fake, cluster: {server: "http://127.0.0.1:${this.port}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: test-token}}]\ncontexts: [{name: c, context: {cluster: fake, user: u}}]\ncurrent-context: c\n`,
    );
    return file;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  /** The n-th watch request (0-based), once it has come. */
  async watchAt(n: number): Promise<Watch> {
    await until(() => this.watches.length > n, `watch #${n}`);
    return this.watches[n]!;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    let body = '';
    for await (const c of req) body += String(c);
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
    });
    if (this.extra?.(req, res, body)) return;
    if (url.pathname === '/version') return json(res, 200, { major: '1', minor: '33', gitVersion: 'v1.33.1' });
    if (url.pathname !== LIST_PATH && !/^\/apis\/startorder\.dev\/v1alpha1\/namespaces\/[^/]+\/startorders$/.test(url.pathname))
      return json(res, 404, { kind: 'Status', code: 404, message: 'not found' });
    if (url.searchParams.get('watch') === '1' || url.searchParams.get('watch') === 'true') return this.watch(url, res);
    await this.listGate;
    const failure = this.listFailures.shift();
    if (failure) return json(res, failure, { kind: 'Status', code: failure, message: `list failed (${failure})` });
    const ns = /namespaces\/([^/]+)\//.exec(url.pathname)?.[1];
    const items = this.items.filter((i) => !ns || i.metadata.namespace === ns);
    json(res, 200, { apiVersion: 'startorder.dev/v1alpha1', kind: 'StartOrderList', metadata: { resourceVersion: this.resourceVersion }, items });
  }

  private watch(url: URL, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const w: Watch = {
      query: url.searchParams,
      res,
      send: (type, object) => void res.write(`${JSON.stringify({ type, object })}\n`),
      cut: () => {
        res.write('{"type":"ADDED","object":{"metadata":{"na');
        setTimeout(() => res.socket?.destroy(), 20);
      },
      end: () => void res.end(),
    };
    this.watches.push(w);
  }
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Polls until `f` is true (the store works in the background); fails after a few seconds. */
export async function until(f: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
