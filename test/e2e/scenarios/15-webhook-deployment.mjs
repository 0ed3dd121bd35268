// 15. The admission webhook, deployed from deploy/ as users deploy it (the real kustomize | kubectl
//     apply, `startorder webhook certs`; the image pulled by digest from the cluster's registry), orders
//     the pods of a Deployment applied with plain `kubectl apply` — no startorder on the client — from a
//     StartOrder in the namespace:
//     app (listed first) after db Ready (HTTP /ready on :8081, ready 2 s after it starts), wrapper mode.
//     Checked on every pod from the kubelet side: db's ready log line and its /startorder/run/db/ready
//     status file come before app's start.
import { assert, apply, toYaml, wl, waitFor, getJSON, logs, ev, ms, fmtMs, statusFileNs } from './lib.mjs';
import {
  startOrder,
  cannotDeploy,
  exclusive,
  installWebhook,
  waitStartOrderSeen,
  isRewritten,
  appliedEdges,
  webhookLabels,
  parkedPod,
} from './webhook-lib.mjs';

const LABELS = { app: 'shop' };
const containers = () => [wl('app'), wl('db', ['-port=8081', '-ready-after=2s'])];

export default [
  {
    name: 'webhook-plain-kubectl-deployment',
    needsWebhook: true,
    namespaceLabels: webhookLabels(),
    async run(t) {
      const why = cannotDeploy();
      if (why) return t.skip(why);
      await exclusive(async () => {
        await installWebhook(t.log);
        const so = startOrder('shop', {
          selector: { matchLabels: LABELS },
          containers: [
            { name: 'db', ready: { httpGet: { port: 8081, path: '/ready' }, periodSeconds: 1 } },
            { name: 'app', after: [{ name: 'db', condition: 'Ready' }] },
          ],
        });
        await apply(toYaml([so]), t.ns);
        await waitStartOrderSeen(t.ns, parkedPod('probe', containers(), LABELS));
        t.log('StartOrder shop applied with kubectl; both replicas rewrite a dry-run pod it selects');
      });
      const deploy = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'shop' },
        spec: {
          replicas: 2,
          selector: { matchLabels: LABELS },
          template: { metadata: { labels: LABELS }, spec: { dnsPolicy: 'Default', terminationGracePeriodSeconds: 2, containers: containers() } },
        },
      };
      await apply(toYaml([deploy]), t.ns);
      const pods = await waitFor(
        async () => {
          const l = await getJSON(['-n', t.ns, 'get', 'pods', '-l', 'app=shop']);
          const items = (l?.items || []).filter((p) => !p.metadata.deletionTimestamp);
          if (items.length !== 2) return false;
          for (const p of items) if (!ev((await logs(t.ns, p.metadata.name, 'app')).events, 'start')) return false;
          return items;
        },
        120000,
        'two shop pods with app started',
        500,
      );
      for (const p of pods) {
        const name = p.metadata.name;
        assert(isRewritten(p), `${name} was not rewritten by the webhook: ${JSON.stringify(p.metadata.annotations)}`);
        const edges = appliedEdges(p);
        assert(
          edges.some(([from, to]) => from === 'db' && to === 'app'),
          `${name}: no db → app edge recorded: ${JSON.stringify(edges)}`,
        );
        const db = (await logs(t.ns, name, 'db')).events;
        const app = (await logs(t.ns, name, 'app')).events;
        const dbReady = ev(db, 'ready')?.ts;
        const appStart = ev(app, 'start').ts;
        assert(dbReady, `${name}: db never logged ready`);
        const readyFile = statusFileNs(p.metadata.uid, 'db', 'ready');
        assert(readyFile, `${name}: no /startorder/run/db/ready status file on the node`);
        assert(appStart > dbReady, `${name}: app started ${fmtMs(ms(appStart, dbReady))} before db was ready`);
        assert(appStart > readyFile, `${name}: app started before db's ready status file was written`);
        const init = (p.spec.initContainers || []).map((c) => c.name);
        t.log(
          `${name}: rewritten at admission (init containers ${init.join(', ')}; edges ${JSON.stringify(edges)}); db ready → app start ${fmtMs(ms(dbReady, appStart))}, db/ready status file → app start ${fmtMs(ms(readyFile, appStart))}`,
        );
      }
    },
  },
];
