// 19. One webhook replica lost during a burst of 200 pod creations, with failurePolicy Fail (deploy/fail)
//     and 2 replicas; every pod that is created must come out rewritten (each admission was answered
//     by a replica, none skipped).
//  - webhook-replica-deleted-burst-200: `kubectl delete pod` of one replica (its grace period, as a
//    rollout, a drain or a scale-down deletes it) after 40 creations: no creation may fail. The
//    replica drains: it leaves the Service's ready endpoints, answers what still reaches it for 5 s,
//    closing each connection after its answer so the apiserver reconnects to the other replica.
//  - webhook-replica-force-deleted-burst-200: `kubectl delete pod --grace-period=0 --force`: the pod
//    leaves the API at once and the kubelet kills its process within about 2 s, with what was queued
//    on it. Asserted as for kill -9 below (measured: 0 to 4 of 200 lost).
//  - webhook-replica-sigkilled-burst-200: `kill -9` of the replica's node process (its container's
//    task) after 40 creations. The apiserver does not retry a failed webhook call, so whatever is in
//    flight to the dead replica, or reaches it before the kubelet reports the container gone and
//    kube-proxy drops its endpoint, fails: "no admission fails" cannot hold for a kill -9. What is
//    asserted: every failure is the dead replica's transport error (reset, refused, EOF — not a
//    timeout, not a denial), no pod got in unrewritten (Fail holds), and once the replacement is
//    Ready a second burst of 50 has no failure. The log says how many failed and when.
// The pods are bound to a node that does not exist (nothing runs them): the burst measures admission.
import { assert, wl, kubectlAsync, sigkillContainer, sleep } from './lib.mjs';
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
  webhookLabels,
  parkedPod,
  burst,
  percentile,
  failurePolicy,
  toYaml,
  WEBHOOK_NS,
} from './webhook-lib.mjs';

const COUNT = 200;
const KILL_AFTER = 40;
const LABELS = { app: 'burst' };
const containers = () => [wl('app'), wl('db')];

/** Polls the Service's ready endpoints until `stop()`; returns [{at, ips}] whenever they change. */
function watchEndpoints(stop) {
  const seen = [];
  const loop = (async () => {
    let last = '';
    while (!stop()) {
      const ips = (await readyEndpoints()).sort().join(',');
      if (ips !== last) seen.push({ at: Date.now(), ips: (last = ips) });
      await sleep(100);
    }
  })();
  return { seen, loop };
}

function scenario(how) {
  return {
    name: `webhook-replica-${{ delete: 'deleted', force: 'force-deleted', sigkill: 'sigkilled' }[how]}-burst-${COUNT}`,
    needsWebhook: true,
    namespaceLabels: webhookLabels(),
    async run(t) {
      const why = cannotDeploy();
      if (why) return t.skip(why);
      await exclusive(async () => {
        await installWebhook(t.log);
        try {
          await applyText(renderDeploy({ failurePolicy: 'Fail' }));
          assert((await failurePolicy()) === 'Fail', 'failurePolicy is not Fail');
          await waitWebhookReady(2, t.log);
          await applyText(
            toYaml([
              {
                ...startOrder('burst', { selector: { matchLabels: LABELS }, containers: [{ name: 'db' }, { name: 'app', after: ['db'] }] }),
                metadata: { name: 'burst', namespace: t.ns },
              },
            ]),
          );
          await waitStartOrderSeen(t.ns, parkedPod('probe', containers(), LABELS));
          const victim = (await webhookPods()).ready[0];
          const victimIP = victim.status.podIP;
          let killedAt;
          let done = false;
          const eps = watchEndpoints(() => done);
          const kill = async () => {
            if (how === 'delete') {
              killedAt = Date.now();
              await kubectlAsync(['-n', WEBHOOK_NS, 'delete', 'pod', victim.metadata.name, '--wait=false']);
            } else if (how === 'force') {
              killedAt = Date.now();
              await kubectlAsync(['-n', WEBHOOK_NS, 'delete', 'pod', victim.metadata.name, '--grace-period=0', '--force', '--wait=false']);
            } else {
              killedAt = (await sigkillContainer(WEBHOOK_NS, victim.metadata.name, 'webhook')).at;
            }
          };
          let killing;
          const r = await burst({
            ns: t.ns,
            count: COUNT,
            concurrency: 8,
            podTemplate: parkedPod('b', containers(), LABELS),
            onProgress: (n) => {
              if (n >= KILL_AFTER && !killing) killing = kill();
            },
          });
          await killing;
          done = true;
          await eps.loop;
          const gone = eps.seen.find((s) => s.at >= killedAt && !s.ips.split(',').includes(victimIP));
          const failedAfter = r.errors.map((e) => r.started[e.i] - killedAt);
          t.log(
            `${{ delete: 'deleted', force: 'force-deleted', sigkill: 'kill -9' }[how]} replica ${victim.metadata.name} (${victimIP}) after ${KILL_AFTER} creations; its endpoint left the Service ${gone ? `${gone.at - killedAt} ms` : 'not within the burst'} after; burst ${r.ok} ok / ${r.failed} failed in ${r.wallMs} ms, create p50 ${percentile(r.ms, 50).toFixed(1)} ms p99 ${percentile(r.ms, 99).toFixed(1)} ms`,
          );
          if (r.failed) t.log(`failed creations sent ${Math.min(...failedAfter)}…${Math.max(...failedAfter)} ms after the kill; first: ${r.errors[0].message}`);
          if (how === 'delete') assert(r.failed === 0, `${r.failed} of ${COUNT} creations failed: ${r.errors[0]?.message}`);
          else {
            const other = r.errors.filter((e) => !/connection reset|connection refused|EOF|broken pipe/.test(e.message));
            assert(other.length === 0, `a creation failed otherwise than by the dead replica's transport error: ${other[0]?.message}`);
          }
          // what the apiserver answered each creation with: the pod as stored, after the webhooks
          assert(r.rewritten === r.ok, `${r.ok - r.rewritten} created pods were not rewritten`);
          t.log(`all ${r.ok} created pods came back rewritten`);
          if (how !== 'delete') {
            await waitWebhookReady(2, t.log);
            const again = await burst({ ns: t.ns, count: 50, concurrency: 8, podTemplate: parkedPod('again', containers(), LABELS) });
            assert(again.failed === 0, `after the replacement was Ready, ${again.failed} of 50 creations failed: ${again.errors[0]?.message}`);
            assert(again.rewritten === 50, `after the replacement was Ready, ${50 - again.rewritten} of 50 pods were not rewritten`);
            t.log('replacement Ready: a second burst of 50 creations, none failed, all rewritten');
          }
        } finally {
          await applyText(renderDeploy({ failurePolicy: 'Ignore' }));
          await waitWebhookReady(2, t.log);
          await kubectlAsync(['-n', t.ns, 'delete', 'pods', '--all', '--grace-period=0', '--force', '--wait=false'], { allowFail: true });
        }
      });
    },
  };
}

export default [scenario('delete'), scenario('force'), scenario('sigkill')];
