// 8. Shutdown (wrapper mode): deleting the pod stops the dependents before the sidecar they
// depend on. proxy ← api ← web; web and api take 1 s to exit after SIGTERM. Evidence: the
// workloads' own signal/exit log times, followed with `kubectl logs -f` during the delete.
import { spawn } from 'node:child_process';
import { assert, transform, apply, wl, pod, soSpec, modeArgs, waitEvents, env, kubectlAsync, parseEvents, ev, ms, fmtMs, sleep } from './lib.mjs';

function follow(ns, name, c) {
  const p = spawn(env.kubectl, ['-n', ns, 'logs', '-f', name, '-c', c], { env: { ...process.env, KUBECONFIG: env.kubeconfig } });
  let text = '';
  p.stdout.on('data', (d) => (text += d));
  const done = new Promise((r) => p.on('close', r));
  return {
    get events() {
      return parseEvents(text);
    },
    done,
    kill: () => p.kill(),
  };
}

export default [
  {
    name: 'shutdown-order-wrapper',
    async run(t) {
      const name = 'shutdown';
      const m = [pod(name, [wl('web', ['-term-delay=1s']), wl('api', ['-term-delay=1s']), wl('proxy')], { terminationGracePeriodSeconds: 30 })];
      const s = soSpec(name, [{ name: 'proxy' }, { name: 'api', after: ['proxy'] }, { name: 'web', after: ['api'] }], {
        selector: { kinds: ['Pod'], names: [name] },
        ...modeArgs('wrapper'),
      });
      const out = transform(s, m);
      await apply(out.out, t.ns);
      await waitEvents(t.ns, name, { proxy: 'start', api: 'start', web: 'start' }, 60000);
      const f = Object.fromEntries(['web', 'api', 'proxy'].map((c) => [c, follow(t.ns, name, c)]));
      await sleep(1000);
      const td = Date.now() * 1e6;
      await kubectlAsync(['-n', t.ns, 'delete', 'pod', name, '--wait=true'], { timeoutMs: 90000 });
      await Promise.race([Promise.all(Object.values(f).map((x) => x.done)), sleep(10000)]);
      Object.values(f).forEach((x) => x.kill());
      const sig = (c) => ev(f[c].events, 'signal')?.ts,
        ex = (c) => ev(f[c].events, 'exit')?.ts;
      for (const c of ['web', 'api', 'proxy']) t.log(`${c}: SIGTERM at +${fmtMs(ms(td, sig(c)))}, exit at +${fmtMs(ms(td, ex(c)))}`);
      for (const c of ['web', 'api', 'proxy']) assert(sig(c) && ex(c), `${c}: no signal/exit logged: ${JSON.stringify(f[c].events)}`);
      assert(sig('api') >= ex('web'), 'api got SIGTERM before web exited');
      assert(sig('proxy') >= ex('api'), 'proxy got SIGTERM before api exited');
    },
  },
];
