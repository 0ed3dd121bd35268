// 2. A DAG of four containers with a Started, a Ready (HTTP readiness) and a Completed edge.
//    db       : HTTP server on :8081, /ready answers 200 after 2 s
//    metrics  : after db Started
//    migrate  : after db Ready (HTTP), exits 0 after 1 s
//    app      : after migrate Completed (and metrics Started)
// restartPolicy Never (Completed needs it in wrapper mode); wrapper and native mode.
import { assert, transform, apply, wl, pod, soSpec, modeArgs, waitEvents, waitFor, getPod, ev, ms, fmtMs, statusFileNs } from './lib.mjs';

function dag(mode) {
  return {
    name: `dag-${mode}`,
    async run(t) {
      const name = `dag-${mode}`;
      const m = [
        pod(name, [wl('app'), wl('migrate', ['-exit-after=1s']), wl('metrics'), wl('db', ['-port=8081', '-ready-after=2s'])], { restartPolicy: 'Never' }),
      ];
      const s = soSpec(
        name,
        [
          { name: 'db', ready: { httpGet: { port: 8081, path: '/ready' }, periodSeconds: 1 } },
          { name: 'metrics', after: [{ name: 'db', condition: 'Started' }] },
          { name: 'migrate', after: [{ name: 'db', condition: 'Ready' }] },
          {
            name: 'app',
            after: [
              { name: 'migrate', condition: 'Completed' },
              { name: 'metrics', condition: 'Started' },
            ],
          },
        ],
        { selector: { kinds: ['Pod'], names: [name] }, ...modeArgs(mode) },
      );
      const out = transform(s, m);
      await apply(out.out, t.ns);
      const e = await waitEvents(t.ns, name, { app: 'start', migrate: 'exit', metrics: 'start', db: 'ready' }, 90000);
      const db = { start: ev(e.db, 'start').ts, ready: ev(e.db, 'ready').ts };
      const metrics = ev(e.metrics, 'start').ts;
      const migrate = { start: ev(e.migrate, 'start').ts, exit: ev(e.migrate, 'exit').ts };
      const app = ev(e.app, 'start').ts;
      // "Started" means the wrapper exec'd db (its /startorder/run/db/started file), not that db's
      // Go runtime got to log its first line: on 2 busy cores metrics may log first by < 1 ms.
      const p0 = await getPod(t.ns, name);
      const dbStartedFile = statusFileNs(p0.metadata.uid, 'db', 'started');
      const dbExec = dbStartedFile ?? db.start;
      t.log(
        `Started edge db→metrics: db exec'd (${dbStartedFile ? 'status file' : "db's own start log"}) → metrics start ${fmtMs(ms(dbExec, metrics))}; db's start log → metrics start ${fmtMs(ms(db.start, metrics))}`,
      );
      t.log(`Ready (HTTP) edge db→migrate: db ready → migrate start ${fmtMs(ms(db.ready, migrate.start))}`);
      t.log(`Completed edge migrate→app: migrate exit → app start ${fmtMs(ms(migrate.exit, app))}`);
      assert(metrics > dbExec, 'metrics started before db was started');
      assert(migrate.start > db.ready, `migrate started ${fmtMs(ms(migrate.start, db.ready))} before db was ready`);
      assert(app > migrate.exit, 'app started before migrate completed');
      assert(app > metrics, 'app started before metrics');
      // the kubelet reports the terminated state on its next status sync; wait for it
      let p, mig;
      await waitFor(
        async () => {
          p = await getPod(t.ns, name);
          mig = [...(p.status.initContainerStatuses || []), ...(p.status.containerStatuses || [])].find((c) => c.name === 'migrate');
          return mig?.state?.terminated;
        },
        30000,
        "migrate's terminated status",
      ).catch(() => {});
      assert(mig?.state?.terminated?.exitCode === 0, `migrate should have terminated with 0: ${JSON.stringify(mig?.state)}`);
      t.log(`pod ${p.status.phase}; migrate terminated 0 (${mig.state.terminated.reason})`);
    },
  };
}

export default [dag('wrapper'), dag('native')];
