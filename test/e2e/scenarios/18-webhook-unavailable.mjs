// 18. The webhook scaled to 0 replicas (no endpoint behind its Service):
//  - webhook-scaled-to-zero-ignore: with deploy/'s default failurePolicy Ignore, a pod a StartOrder
//    selects is created all the same, unordered (not rewritten);
//  - webhook-scaled-to-zero-fail: with the deploy/fail component (failurePolicy Fail), the creation is
//    refused, and kubectl says which webhook failed and why.
// Both put the webhook back (deploy/ re-applied, 2 replicas Ready) before they end.
import { assert, apply, toYaml, wl, kubectlAsync, getPod, waitFor } from './lib.mjs';
import {
  startOrder,
  cannotDeploy,
  exclusive,
  installWebhook,
  renderDeploy,
  applyText,
  waitWebhookReady,
  waitStartOrderSeen,
  webhookPods,
  readyEndpoints,
  failurePolicy,
  isRewritten,
  webhookLabels,
  parkedPod,
  WEBHOOK_NS,
  WEBHOOK_DEPLOY,
} from './webhook-lib.mjs';

const LABELS = { app: 'down' };
const containers = () => [wl('app'), wl('db')];

async function scaleToZero(t) {
  await kubectlAsync(['-n', WEBHOOK_NS, 'scale', 'deployment', WEBHOOK_DEPLOY, '--replicas=0']);
  // gone, not only terminating: a terminating replica still answers on the connections the apiserver
  // keeps open to it (kube-proxy leaves established connections alone when an endpoint goes)
  await waitFor(async () => (await webhookPods()).all.length === 0 && (await readyEndpoints()).length === 0, 120000, 'no webhook pod and no endpoint', 500);
  t.log('webhook scaled to 0: no pod left (terminating ones included), no endpoint behind the Service');
}

async function restore(t) {
  await applyText(renderDeploy({ failurePolicy: 'Ignore' }));
  await waitWebhookReady(2, t.log);
}

function scenario(policy) {
  return {
    name: `webhook-scaled-to-zero-${policy.toLowerCase()}`,
    needsWebhook: true,
    namespaceLabels: webhookLabels(),
    async run(t) {
      const why = cannotDeploy();
      if (why) return t.skip(why);
      await exclusive(async () => {
        await installWebhook(t.log);
        await apply(toYaml([startOrder('down', { selector: { matchLabels: LABELS }, containers: [{ name: 'db' }, { name: 'app', after: ['db'] }] })]), t.ns);
        await waitStartOrderSeen(t.ns, parkedPod('probe', containers(), LABELS));
        try {
          if (policy === 'Fail') await applyText(renderDeploy({ failurePolicy: 'Fail' }));
          assert((await failurePolicy()) === policy, `the MutatingWebhookConfiguration's failurePolicy is ${await failurePolicy()}, not ${policy}`);
          await scaleToZero(t);
          const r = await kubectlAsync(['-n', t.ns, 'create', '-f', '-'], { input: toYaml([parkedPod('p', containers(), LABELS)]), allowFail: true });
          const said = r.stderr.trim();
          if (policy === 'Ignore') {
            assert(r.status === 0, `the pod was refused with failurePolicy Ignore: ${said}`);
            const p = await getPod(t.ns, 'p');
            assert(p && !isRewritten(p), 'the pod was rewritten, yet no webhook replica was running');
            t.log(`pod created unordered (not rewritten): ${p.spec.containers.map((c) => c.name).join(', ')}, no init containers: ${!p.spec.initContainers}`);
          } else {
            t.log(`kubectl create exited ${r.status}: ${said.replace(/\n/g, ' | ')}`);
            assert(r.status !== 0, 'the pod was created with failurePolicy Fail and no webhook replica');
            assert(said.includes('failed calling webhook "pods.startorder.dev"'), 'the message does not name the webhook that failed');
            assert(
              /no endpoints available|connection refused|dial tcp|context deadline exceeded|i\/o timeout/.test(said),
              'the message does not say the webhook could not be reached',
            );
            assert(!(await getPod(t.ns, 'p')), 'the refused pod exists');
          }
        } finally {
          await restore(t);
        }
      });
    },
  };
}

export default [scenario('Ignore'), scenario('Fail')];
