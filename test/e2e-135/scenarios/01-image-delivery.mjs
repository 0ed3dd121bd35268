// runtime.delivery image on a Kubernetes 1.35 kubelet (issue 12 item 7): the pod gets the runtime
// image as an image volume at /startorder/bin and no init container; its containers still start in
// order, as their status files and their own logs show.
//   db   : ready 1 s after it starts (ready file)
//   app  : after db Ready
//   tail : after app Started
// Also: auto on 1.35 is image (no spec field), and an explicit copy still copies there.
import { assert, transform, apply, wl, pod, soSpec, waitEvents, getPod, ev, ms, fmtMs, statusFileNs } from '../../e2e/scenarios/lib.mjs';

function chain(name, delivery) {
  const m = [pod(name, [wl('tail'), wl('app'), wl('db', ['-ready-after=1s', '-ready-file=/tmp/db.ready'])], { restartPolicy: 'Never' })];
  const s = soSpec(
    name,
    [
      { name: 'db', ready: { file: '/tmp/db.ready' } },
      { name: 'app', after: ['db'] },
      { name: 'tail', after: [{ name: 'app', condition: 'Started' }] },
    ],
    {
      selector: { kinds: ['Pod'], names: [name] },
      mode: 'wrapper',
      kubernetesVersion: '1.35',
      ...(delivery ? { runtime: { imagePullPolicy: 'IfNotPresent', delivery } } : {}),
    },
  );
  return transform(s, m);
}

/** The pod as the CLI wrote it: its bin volume, its init containers, the wrapper path. */
function shape(doc) {
  const spec = doc.spec;
  const bin = (spec.volumes || []).find((v) => v.name === 'startorder-bin');
  return { bin, inits: (spec.initContainers || []).map((c) => c.name), commands: spec.containers.map((c) => c.command[0]) };
}

export default [
  {
    name: 'image-delivery-in-order',
    async run(t) {
      const name = 'image-delivery';
      const out = chain(name); // auto: 1.35 → image
      const sh = shape(out.docs[0]);
      assert(sh.bin?.image?.reference, `the bin volume is not an image volume: ${JSON.stringify(sh.bin)}`);
      assert(sh.inits.length === 0, `init containers: ${sh.inits.join(', ')}`);
      assert(
        sh.commands.every((c) => c === '/startorder/bin/startorder-entrypoint'),
        `commands: ${sh.commands.join(', ')}`,
      );
      t.log(`rewritten: bin volume image ${sh.bin.image.reference}, no init container`);
      await apply(out.out, t.ns);
      const e = await waitEvents(t.ns, name, { db: 'ready', app: 'start', tail: 'start' }, 120000);
      const p = await getPod(t.ns, name);
      assert((p.status.initContainerStatuses || []).length === 0, 'the running pod has init container statuses');
      const uid = p.metadata.uid;
      const files = Object.fromEntries(
        ['db', 'app', 'tail'].map((c) => [c, { started: statusFileNs(uid, c, 'started'), ready: statusFileNs(uid, c, 'ready') }]),
      );
      for (const c of ['db', 'app', 'tail']) assert(files[c].started, `no status file /startorder/run/${c}/started`);
      assert(files.db.ready, 'no status file /startorder/run/db/ready');
      const dbReady = ev(e.db, 'ready').ts;
      const appStart = ev(e.app, 'start').ts;
      const tailStart = ev(e.tail, 'start').ts;
      // app was exec'd (its started file) only after db's ready file was written, and tail after app's
      assert(files.app.started > files.db.ready, `app started ${fmtMs(ms(files.app.started, files.db.ready))} before db was ready (status files)`);
      assert(files.tail.started > files.app.started, 'tail started before app (status files)');
      assert(appStart > dbReady, `app's first log line is ${fmtMs(ms(appStart, dbReady))} before db's ready line`);
      t.log(
        `status files: db ready → app started ${fmtMs(ms(files.db.ready, files.app.started))}; app started → tail started ${fmtMs(ms(files.app.started, files.tail.started))}`,
      );
      t.log(`logs: db ready → app start ${fmtMs(ms(dbReady, appStart))}; app start → tail start ${fmtMs(ms(appStart, tailStart))}`);
    },
  },
  {
    name: 'image-delivery-explicit-copy',
    async run(t) {
      const name = 'copy-on-135';
      const out = chain(name, 'copy');
      const sh = shape(out.docs[0]);
      assert(sh.bin?.emptyDir && sh.inits[0] === 'startorder-init', `copy: ${JSON.stringify(sh)}`);
      await apply(out.out, t.ns);
      const e = await waitEvents(t.ns, name, { db: 'ready', app: 'start' }, 120000);
      assert(ev(e.app, 'start').ts > ev(e.db, 'ready').ts, 'app started before db was ready');
      const p = await getPod(t.ns, name);
      const init = (p.status.initContainerStatuses || []).find((c) => c.name === 'startorder-init');
      assert(init?.state?.terminated?.exitCode === 0, `startorder-init: ${JSON.stringify(init?.state)}`);
      t.log('copy on 1.35: startorder-init copied the wrapper (exit 0), app after db ready');
    },
  },
];
