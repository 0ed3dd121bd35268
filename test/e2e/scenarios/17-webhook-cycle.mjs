// 17. A StartOrder with a cycle (web after api, api after web) is rejected by `kubectl apply`: the
//     validating webhook (startorders.startorder.dev) answers with the CLI's own diagnostic, which
//     kubectl prints; the StartOrder is not stored.
import { assert, toYaml, kubectlAsync } from './lib.mjs';
import { startOrder, cannotDeploy, exclusive, installWebhook, webhookLabels } from './webhook-lib.mjs';

export default [
  {
    name: 'webhook-startorder-cycle-rejected',
    needsWebhook: true,
    namespaceLabels: webhookLabels(),
    async run(t) {
      const why = cannotDeploy();
      if (why) return t.skip(why);
      await exclusive(() => installWebhook(t.log));
      const so = startOrder('loop', {
        selector: { matchLabels: { app: 'loop' } },
        containers: [
          { name: 'web', after: ['api'] },
          { name: 'api', after: ['web'] },
        ],
      });
      const r = await kubectlAsync(['-n', t.ns, 'apply', '-f', '-'], { input: toYaml([so]), allowFail: true });
      const said = r.stderr.trim();
      t.log(`kubectl apply exited ${r.status}: ${said.replace(/\n/g, ' | ')}`);
      assert(r.status !== 0, `kubectl apply of a StartOrder with a cycle succeeded: ${r.stdout}`);
      assert(said.includes('admission webhook "startorders.startorder.dev" denied the request'), 'the denial does not come from the validating webhook');
      assert(/cycle/.test(said), 'the message does not name the cycle');
      assert(said.includes('web') && said.includes('api'), 'the message does not name the containers of the cycle');
      assert(/spec\.containers|containers\[|containers\/|\/spec/.test(said), 'the message does not locate the problem in the StartOrder');
      const get = await kubectlAsync(['-n', t.ns, 'get', 'startorder', 'loop'], { allowFail: true });
      assert(get.status !== 0, 'the rejected StartOrder exists anyway');
    },
  },
];
