/**
 * The StartOrders, kept in memory from a list and then a watch from the list's resourceVersion. A
 * watch that ends is started again from the last resourceVersion seen; one that says 410 Gone (or an
 * ERROR event with code 410) lists again; any other failure — a refused connection, a stream cut
 * mid-line, a 5xx — is retried with exponential back-off (and jitter) up to `maxBackoffMs`. The
 * admission path only reads the maps: it never waits for the API.
 */
import type { IncomingMessage } from 'node:http';
import { isObj, type Obj } from '../kube/index.js';
import { nameOf, namespaceOf, str } from './admission.js';
import { ApiError, json, readAll, type Transport } from './kube.js';
import type { StartOrderSource } from './mutate.js';

export const GROUP_VERSION = 'startorder.dev/v1alpha1';
const PLURAL = 'startorders';

export interface StoreOptions {
  transport: Transport;
  /** Only this namespace (--namespace-scope); default every namespace. */
  namespace?: string;
  log?: (line: string) => void;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** The server ends each watch after this long (a fresh one starts from the last resourceVersion). */
  watchTimeoutSeconds?: number;
}

type Expired = 'expired';

export class StartOrderStore implements StartOrderSource {
  private byNamespace = new Map<string, Map<string, Obj>>();
  private resourceVersion = '';
  private listed = false;
  private stopped = false;
  private abort: AbortController | undefined;
  private running: Promise<void> | undefined;
  private readonly path: string;
  /** Counters for tests and logs: lists made, watches started. */
  readonly stats = { lists: 0, watches: 0, errors: 0 };

  constructor(private readonly o: StoreOptions) {
    this.path = o.namespace ? `/apis/${GROUP_VERSION}/namespaces/${encodeURIComponent(o.namespace)}/${PLURAL}` : `/apis/${GROUP_VERSION}/${PLURAL}`;
  }

  synced(): boolean {
    return this.listed;
  }

  list(namespace: string): readonly Obj[] {
    const m = this.byNamespace.get(namespace);
    return m ? [...m.values()] : [];
  }

  start(): void {
    this.stopped = false;
    this.running ??= this.loop().finally(() => (this.running = undefined));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    await this.running;
  }

  private log(event: string, detail: Obj = {}): void {
    (this.o.log ?? ((l: string) => void process.stdout.write(`${l}\n`)))(JSON.stringify({ store: event, ...detail }));
  }

  private async loop(): Promise<void> {
    const initial = this.o.initialBackoffMs ?? 500;
    let delay = initial;
    while (!this.stopped) {
      const t0 = Date.now();
      try {
        if (!this.resourceVersion) await this.relist();
        if ((await this.watch()) === 'expired') this.resourceVersion = '';
        // a watch that the server ends at once, again and again, is backed off like a failure
        if (Date.now() - t0 >= 1000) delay = initial;
        else delay = await this.pause(delay);
      } catch (e) {
        if (this.stopped) break;
        this.stats.errors++;
        if (e instanceof ApiError && e.status === 410) this.resourceVersion = '';
        this.log('error', { error: (e as Error).message, retryInMs: delay });
        delay = await this.pause(delay);
      }
    }
  }

  private async pause(delay: number): Promise<number> {
    const ms = delay * (0.8 + Math.random() * 0.4);
    await new Promise((r) => setTimeout(r, ms));
    return Math.min(delay * 2, this.o.maxBackoffMs ?? 30_000);
  }

  private async relist(): Promise<void> {
    const fresh = new Map<string, Map<string, Obj>>();
    let token = '';
    let version: string;
    do {
      const page = (await json(this.o.transport, 'GET', `${this.path}?limit=500${token ? `&continue=${encodeURIComponent(token)}` : ''}`)) as Obj | undefined;
      const items = isObj(page) && Array.isArray(page.items) ? (page.items as Obj[]) : [];
      for (const item of items) put(fresh, { apiVersion: GROUP_VERSION, kind: 'StartOrder', ...item });
      const meta = isObj(page?.metadata) ? page.metadata : {};
      token = typeof meta.continue === 'string' ? meta.continue : '';
      version = str(meta.resourceVersion);
    } while (token);
    this.byNamespace = fresh;
    this.resourceVersion = version;
    this.stats.lists++;
    this.listed = true;
    this.log('listed', { count: [...fresh.values()].reduce((n, m) => n + m.size, 0), resourceVersion: version });
  }

  /** One watch, until the server ends it ('expired': the resourceVersion is too old, list again). */
  private async watch(): Promise<Expired | undefined> {
    this.abort = new AbortController();
    const q = `watch=1&allowWatchBookmarks=true&timeoutSeconds=${this.o.watchTimeoutSeconds ?? 300}&resourceVersion=${encodeURIComponent(this.resourceVersion)}`;
    let res: IncomingMessage;
    try {
      res = await this.o.transport.open('GET', `${this.path}?${q}`, undefined, this.abort.signal);
    } catch (e) {
      throw this.stopped ? new ApiError('stopped') : e;
    }
    this.stats.watches++;
    if (res.statusCode === 410) return (void (await readAll(res)), 'expired');
    if (res.statusCode !== 200) throw new ApiError(`watch ${this.path}: ${res.statusCode} ${(await readAll(res)).slice(0, 200)}`, res.statusCode);
    return this.events(res);
  }

  private events(res: IncomingMessage): Promise<Expired | undefined> {
    return new Promise((resolve, reject) => {
      let rest = '';
      let settled = false;
      const settle = (f: () => void): void => {
        if (settled) return;
        settled = true;
        f();
      };
      // a watch that goes silent (a peer gone without a reset) is ended: bookmarks come every minute
      const idle = ((this.o.watchTimeoutSeconds ?? 300) + 60) * 1000;
      const timer = setTimeout(() => res.destroy(), idle);
      timer.unref();
      res.on('close', () => clearTimeout(timer));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        timer.refresh();
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        try {
          for (const line of lines) {
            if (settled || !line.trim() || this.event(line) !== 'expired') continue;
            settle(() => resolve('expired'));
            res.destroy();
          }
        } catch (e) {
          settle(() => reject(e instanceof Error ? e : new Error(String(e))));
          res.destroy();
        }
      });
      res.on('end', () => settle(() => resolve(undefined)));
      res.on('error', (e) => settle(() => reject(new ApiError(`watch ${this.path} broke: ${e.message}`))));
      res.on('close', () => settle(() => reject(new ApiError(`watch ${this.path} broke mid-stream`))));
    });
  }

  private event(line: string): Expired | undefined {
    let e: { type?: string; object?: Obj };
    try {
      e = JSON.parse(line) as typeof e;
    } catch {
      throw new ApiError(`watch ${this.path}: not a JSON event: ${line.slice(0, 80)}`);
    }
    const obj = isObj(e.object) ? e.object : {};
    if (e.type === 'ERROR') {
      if (obj.code === 410) return 'expired';
      throw new ApiError(`watch ${this.path}: ${str(obj.message, 'error event')}`, typeof obj.code === 'number' ? obj.code : undefined);
    }
    const rv = isObj(obj.metadata) ? obj.metadata.resourceVersion : undefined;
    if (typeof rv === 'string' && rv) this.resourceVersion = rv;
    if (e.type === 'ADDED' || e.type === 'MODIFIED') put(this.byNamespace, obj);
    else if (e.type === 'DELETED') remove(this.byNamespace, obj);
    return undefined;
  }
}

function keyOf(o: Obj): [string, string] {
  return [namespaceOf(o) ?? '', nameOf(o)];
}

function put(maps: Map<string, Map<string, Obj>>, o: Obj): void {
  const [ns, name] = keyOf(o);
  let m = maps.get(ns);
  if (!m) maps.set(ns, (m = new Map<string, Obj>()));
  m.set(name, o);
}

function remove(maps: Map<string, Map<string, Obj>>, o: Obj): void {
  const [ns, name] = keyOf(o);
  maps.get(ns)?.delete(name);
}
