// The webhook server of bench/webhook.ts, in a process of its own (the client's load does not share
// its event loop): one matching StartOrder among 200 in other namespaces, the processing time of
// each admission taken from its log line, sent to the parent on request.
import { webhookServer } from '../src/webhook/server.js';

const { cert, key, spec } = JSON.parse(process.env.BENCH_WEBHOOK ?? '{}') as { cert: string; key: string; spec: unknown };
const orders = [{ apiVersion: 'startorder.dev/v1alpha1', kind: 'StartOrder', metadata: { name: 'web', namespace: 'shop' }, spec }];
for (let i = 0; i < 200; i++) orders.push({ ...orders[0]!, metadata: { name: `other-${i}`, namespace: `team-${i}` } });
const byNs = new Map<string, typeof orders>();
for (const o of orders) byNs.set(o.metadata.namespace, [...(byNs.get(o.metadata.namespace) ?? []), o]);
const ms: number[] = [];
const results = new Map<string, number>();
const server = webhookServer({
  cacheSize: Number(process.env.BENCH_CACHE ?? 512),
  cert,
  key,
  store: { list: (ns) => byNs.get(ns) ?? [], synced: () => true },
  mutate: { defaults: { kubernetesVersion: '1.33' }, onError: 'allow' },
  log: (line) => {
    const l = JSON.parse(line) as { ms: number; result: string };
    ms.push(l.ms);
    results.set(l.result, (results.get(l.result) ?? 0) + 1);
  },
});
const { port } = await server.listen(0, '127.0.0.1');
process.send!({ port });
process.on('message', (m: string) => {
  if (m === 'stats') {
    process.send!({ ms: ms.splice(0), results: Object.fromEntries(results) });
    results.clear();
  }
  if (m === 'stop') void server.close().then(() => process.exit(0));
});
