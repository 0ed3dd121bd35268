// 14. `kubectl startorder status POD -n NS -o json` (the kubectl plugin bin/kubectl-startorder.js,
// found on PATH by the real kubectl, run inside the cluster's network namespace) against three pods:
//    status-waiting         : app waits for db Ready; db's /ready never answers 200
//    status-in-order        : app after db Ready (HTTP, after 1 s); app exits 0, db follows (-exit_with)
//    status-failed-dependency: dep exits 1; second waits for dep Completed and fails (exit 3)
// Asserted on the JSON fields; the text and Mermaid outputs are checked to render.
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assert, transform, apply, wl, pod, soSpec, modeArgs, waitFor, getPod, containerStatus, env, REPO } from './lib.mjs';

/** Runs `kubectl startorder ARGS` with the plugin on PATH; { status, stdout, stderr }. */
function plugin(args) {
  const dir = mkdtempSync(join(tmpdir(), 'so-plugin-'));
  symlinkSync(join(REPO, 'bin', 'kubectl-startorder.js'), join(dir, 'kubectl-startorder'));
  return new Promise((resolve) => {
    const p = spawn(env.kubectl, ['startorder', ...args], { env: { ...process.env, KUBECONFIG: env.kubeconfig, PATH: `${dir}:${process.env.PATH}` } });
    let stdout = '',
      stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 60000);
    p.on('close', (status) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      resolve({ status, stdout, stderr });
    });
  });
}

async function status(t, name, extra = []) {
  const r = await plugin(['status', name, '-n', t.ns, ...extra]);
  assert(r.status === 0, `kubectl startorder status ${name} exited ${r.status}: ${r.stderr}`);
  assert(!/\n\s+at /.test(r.stderr), `a stack trace: ${r.stderr}`);
  return r;
}

async function report(t, name) {
  const r = await status(t, name, ['-o', 'json']);
  const rep = JSON.parse(r.stdout);
  const c = (n) => rep.containers.find((x) => x.name === n);
  t.log(
    `${name}: ${rep.containers.map((x) => `${x.name}=${x.state}[${x.stateSource}]`).join(' ')}; logs ${rep.sources.logs}; status files ${rep.sources.statusFiles}`,
  );
  return { rep, c };
}

/** Both text and Mermaid render for the pod (exit 0, the container names in them). */
async function renders(t, name, containers) {
  const text = (await status(t, name)).stdout;
  const gantt = (await status(t, name, ['--format', 'mermaid'])).stdout;
  assert(gantt.startsWith('gantt\n'), `mermaid: ${gantt.slice(0, 80)}`);
  for (const c of containers) {
    assert(new RegExp(`^${c} `, 'm').test(text), `text has no row for ${c}:\n${text}`);
    assert(gantt.includes(`section ${c}\n`), `mermaid has no section ${c}:\n${gantt}`);
  }
}

/** db (HTTP /ready after readyAfter) and app after db Ready, restartPolicy Never, wrapper mode. */
async function applyDbApp(t, name, readyAfter, appArgs) {
  const m = [pod(name, [wl('app', appArgs), wl('db', ['-port=8081', `-ready-after=${readyAfter}`])], { restartPolicy: 'Never' })];
  const s = soSpec(
    name,
    [
      { name: 'db', ready: { httpGet: { port: 8081, path: '/ready' }, periodSeconds: 1 } },
      { name: 'app', after: [{ name: 'db', condition: 'Ready' }] },
    ],
    { selector: { kinds: ['Pod'], names: [name] }, ...modeArgs('wrapper') },
  );
  await apply(transform(s, m).out, t.ns);
}

const after = (a, b) => Date.parse(a) >= Date.parse(b);

export default [
  {
    name: 'status-waiting',
    async run(t) {
      const name = 'waiter';
      await applyDbApp(t, name, '1h', []);
      await waitFor(
        async () => {
          const p = await getPod(t.ns, name);
          return containerStatus(p, 'app')?.state?.running && containerStatus(p, 'db')?.state?.running;
        },
        60000,
        'app and db running',
      );
      const { rep, c } = await report(t, name);
      assert(rep.ordered === true, 'the pod should be ordered');
      const app = c('app');
      assert(app.state === 'waiting', `app state ${app.state} [${app.stateSource}]`);
      assert(JSON.stringify(app.waiting?.for) === '["db ready"]', `app waits for ${JSON.stringify(app.waiting)}`);
      // since: the first wait line (whichever source says it waits), else the wrapper's start (it waits
      // from its first moment); never before the container was created (second precision) nor in the future
      const since = Date.parse(app.waiting.since ?? '');
      assert(
        since >= Date.parse(app.times.created.at) && since <= Date.now() + 1000,
        `since ${app.waiting.since}, created ${JSON.stringify(app.times.created)}`,
      );
      assert(
        JSON.stringify(app.waitsFor) === JSON.stringify([{ container: 'db', condition: 'Ready', mechanism: 'wrapper' }]),
        `plan ${JSON.stringify(app.waitsFor)}`,
      );
      assert(app.times.started === undefined, `app's process should not have started: ${JSON.stringify(app.times)}`);
      const db = c('db');
      assert(db.state === 'running', `db state ${db.state}`);
      assert(c('startorder-init').state === 'completed', `startorder-init ${c('startorder-init').state}`);
      await renders(t, name, ['db', 'app']);
    },
  },
  {
    name: 'status-in-order',
    async run(t) {
      const name = 'ordered';
      await applyDbApp(t, name, '1s', ['-exit-after=1s']);
      await waitFor(
        async () => {
          const p = await getPod(t.ns, name);
          return containerStatus(p, 'app')?.state?.terminated && containerStatus(p, 'db')?.state?.terminated;
        },
        90000,
        'app and db terminated',
      );
      const { c } = await report(t, name);
      const app = c('app'),
        db = c('db');
      for (const x of [app, db]) {
        assert(x.state === 'completed', `${x.name} state ${x.state}: ${JSON.stringify(x.failure)}`);
        assert(x.failure === undefined, `${x.name} failure ${JSON.stringify(x.failure)}`);
        for (const k of ['started', 'ready', 'exited']) assert(x.times[k]?.source === 'termination-message', `${x.name} ${k}: ${JSON.stringify(x.times[k])}`);
      }
      assert(app.times.waited?.source === 'termination-message', `app waited ${JSON.stringify(app.times.waited)}`);
      assert(after(app.times.waited.at, db.times.ready.at), `app's wait ended ${app.times.waited.at} before db was ready ${db.times.ready.at}`);
      assert(after(app.times.started.at, db.times.ready.at), `app started ${app.times.started.at} before db was ready ${db.times.ready.at}`);
      await renders(t, name, ['db', 'app']);
    },
  },
  {
    name: 'status-failed-dependency',
    async run(t) {
      const name = 'failing';
      const m = [pod(name, [wl('dep', ['-exit-after=1s', '-exit-code=1']), wl('second')], { restartPolicy: 'Never' })];
      const s = soSpec(name, [{ name: 'dep' }, { name: 'second', after: [{ name: 'dep', condition: 'Completed' }] }], {
        selector: { kinds: ['Pod'], names: [name] },
        ...modeArgs('wrapper'),
      });
      await apply(transform(s, m).out, t.ns);
      await waitFor(
        async () => {
          const p = await getPod(t.ns, name);
          return p && (p.status.phase === 'Failed' || p.status.phase === 'Succeeded');
        },
        60000,
        'pod to finish',
      );
      const { rep, c } = await report(t, name);
      assert(rep.phase === 'Failed', `phase ${rep.phase}`);
      const second = c('second'),
        dep = c('dep');
      assert(second.state === 'failed' && second.exitCode === 3, `second ${second.state} exit ${second.exitCode}`);
      assert(second.failure?.source === 'termination-message', `second's failure ${JSON.stringify(second.failure)}`);
      assert(/^DependencyFailed: \/startorder\/run\/dep\/completed/.test(second.failure.reason), `second's reason ${second.failure.reason}`);
      assert(second.times.started === undefined, `second's process should never have started: ${JSON.stringify(second.times)}`);
      assert(dep.state === 'failed' && dep.exitCode === 1, `dep ${dep.state} exit ${dep.exitCode}`);
      assert(dep.failure?.reason === 'Error: exit code 1' && dep.failure.source === 'termination-message', `dep's failure ${JSON.stringify(dep.failure)}`);
      await renders(t, name, ['dep', 'second']);
    },
  },
];
