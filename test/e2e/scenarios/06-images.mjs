// 6. A container without `command`: its entrypoint comes from the spec's `images` table.
import { assert, transform, apply, wl, pod, soSpec, modeArgs, waitEvents, ev, ms, fmtMs, WORKLOAD_IMAGE } from './lib.mjs';

export default [
  {
    name: 'images-table-wrapper',
    async run(t) {
      const name = 'imgtable';
      const noCmd = (c) => {
        const rest = { ...c };
        delete rest.command;
        return rest;
      };
      const m = [pod(name, [noCmd(wl('app')), noCmd(wl('dep', ['-ready-after=1s', '-port=8084']))])];
      const s = soSpec(
        name,
        [
          { name: 'dep', ready: { tcpSocket: { port: 8084 } } },
          { name: 'app', after: ['dep'] },
        ],
        {
          selector: { kinds: ['Pod'], names: [name] },
          images: [{ image: WORKLOAD_IMAGE, command: ['/workload'] }],
          ...modeArgs('wrapper'),
        },
      );
      const out = transform(s, m);
      const app = out.docs[0].spec.containers.find((c) => c.name === 'app');
      t.log(`app args: ${app.args.join(' ')}`);
      assert(app.args.includes('/workload'), "the entrypoint from the images table should be in the wrapper's argv");
      await apply(out.out, t.ns);
      const e = await waitEvents(t.ns, name, { app: 'start', dep: 'start' }, 60000);
      const depStart = ev(e.dep, 'start').ts,
        appStart = ev(e.app, 'start').ts;
      assert(ev(e.app, 'start').args.includes('-name=app'), "app's args should pass through");
      t.log(`dep start → app start ${fmtMs(ms(depStart, appStart))} (TCP ready edge)`);
      assert(appStart > depStart, 'app started before dep');
    },
  },
];
