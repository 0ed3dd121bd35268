// startorder status: the report built from pod objects, and its three renderings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReport, renderJSON, renderMermaid, renderText, type PodReport } from '../src/status/index.js';
import type { Extra } from '../src/status/model.js';
import { at, pod, running, terminated, tm, waitingPod, waitLog, wrapped, T0 } from './status-pods.js';

const noExtra: Extra = { logs: {}, logsNote: 'not read: test', statusFilesNote: 'not read: test' };
const c = (r: PodReport, name: string) => r.containers.find((x) => x.name === name)!;

test('a waiting container: what for and since when, from its wait lines', () => {
  const logs = {
    app: waitLog([
      [2.1, 'waiting for db ready (no -wait_timeout)'],
      [32.1, 'waiting 30s for db ready'],
    ]),
  };
  const r = buildReport(waitingPod(), { ...noExtra, logs, logsNote: 'read' });
  assert.equal(r.ordered, true);
  const app = c(r, 'app');
  assert.equal(app.state, 'waiting');
  assert.equal(app.stateSource, 'logs');
  assert.deepEqual(app.waiting, { for: ['db ready'], since: at(2.1), source: 'logs' });
  assert.deepEqual(app.waitsFor, [{ container: 'db', condition: 'Ready', mechanism: 'wrapper' }]);
  assert.equal(c(r, 'db').state, 'running');
  assert.equal(c(r, 'startorder-init').state, 'completed');
  const text = renderText(r, T0 + 92_100);
  assert.match(text, /^app +app +waiting \[logs\] +db ready \[logs\] +2026-01-02T10:00:02\.100Z \(1m30s ago\)/m);
  assert.ok(r.timeline.some((e) => e.container === 'app' && e.event === 'waiting for db ready' && e.source === 'logs'));
  const json = JSON.parse(renderJSON(r)) as PodReport;
  assert.equal(json.containers.find((x) => x.name === 'app')!.waiting!.since, at(2.1));
});

test('without anything from inside the pod the wait is inferred from the dependency, and says so', () => {
  const r = buildReport(waitingPod(), noExtra);
  const app = c(r, 'app');
  assert.equal(app.state, 'waiting');
  assert.equal(app.stateSource, 'inferred');
  assert.deepEqual(app.waiting, { for: ['db ready'], since: at(2), source: 'inferred' });
  // once db is ready, nothing is missing: app runs (still inferred)
  const p = waitingPod();
  (p.status as { containerStatuses: unknown[] }).containerStatuses = [running('db', 2, true), running('app', 2, true)];
  const r2 = buildReport(p, noExtra);
  assert.equal(c(r2, 'app').state, 'ready');
  assert.equal(c(r2, 'app').waiting, undefined);
  assert.match(renderText(r2, T0), /^app .*ready \[inferred\]/m);
});

test('a chain is inferred from its first link', () => {
  const p = pod('chain', [wrapped('a'), wrapped('b'), wrapped('c')], [running('a', 1, false), running('b', 1, true), running('c', 1, true)], {
    edges: [
      ['a', 'b', 'Ready', 'wrapper'],
      ['b', 'c', 'Started', 'wrapper'],
    ],
  });
  const r = buildReport(p, noExtra);
  assert.deepEqual(
    r.containers.map((x) => [x.name, x.state]),
    [
      ['startorder-init', 'completed'],
      ['a', 'running'],
      ['b', 'waiting'],
      ['c', 'waiting'],
    ],
  );
  assert.deepEqual(c(r, 'c').waiting?.for, ['b started']);
});

test('status files decide over logs and inference', () => {
  const statusDirs = { db: { files: { started: at(2.2) } }, app: { files: {} } };
  const logs = { app: waitLog([[2.1, 'waited 1ms for db ready: starting the child']]) };
  const r = buildReport(waitingPod(), { ...noExtra, logs, statusDirs, statusFilesNote: 'read' });
  assert.equal(c(r, 'app').state, 'waiting');
  assert.deepEqual(c(r, 'app').waiting?.for, ['db ready']);
  assert.equal(c(r, 'app').waiting?.source, 'status-files');
  assert.deepEqual(c(r, 'db').times.started, { at: at(2.2), source: 'status-files' });
});

test('a pod that started in order: times from the termination messages, in order on the timeline', () => {
  const msg = (w: number | undefined, s: number, rd: number, e: number) =>
    tm({ ...(w ? { waited: at(w) } : {}), started: at(s), ready: at(rd), exited: at(e), exitCode: 0, reason: 'Completed' });
  const p = pod(
    'ordered',
    [wrapped('db'), wrapped('app', ['-wait_status', '/startorder/run/db/ready'])],
    [terminated('db', 2, 9, 0, msg(undefined, 2.1, 3, 9)), terminated('app', 2, 9, 0, msg(3.01, 3.02, 3.02, 8.9))],
    {
      edges: [['db', 'app', 'Ready', 'wrapper']],
      phase: 'Succeeded',
    },
  );
  const r = buildReport(p, noExtra);
  assert.equal(c(r, 'db').state, 'completed');
  assert.deepEqual(c(r, 'app').times.started, { at: at(3.02), source: 'termination-message' });
  assert.deepEqual(c(r, 'app').times.waited, { at: at(3.01), source: 'termination-message' });
  assert.equal(c(r, 'app').failure, undefined);
  const order = r.timeline.filter((e) => e.event === 'process started' || e.event === 'ready').map((e) => `${e.container} ${e.event}`);
  assert.deepEqual(order, ['db process started', 'db ready', 'app process started', 'app ready']);
  const gantt = renderMermaid(r, T0 + 20_000);
  assert.match(gantt, /^gantt\n {2}title Start-up of pod ns1\/ordered\n {2}dateFormat x\n/);
  assert.match(gantt, new RegExp(`  section app\\n    waits :done, ${T0 + 2000}, ${T0 + 3010}\\n`));
  assert.match(gantt, new RegExp(`    ready :done, ${T0 + 3000}, ${T0 + 9000}\\n`));
});

test('a failed dependency: the reason comes from the termination message', () => {
  const p = pod(
    'failing',
    [wrapped('dep'), wrapped('second', ['-wait_status', '/startorder/run/dep/completed'])],
    [
      terminated('dep', 2, 3, 1, tm({ started: at(2.1), ready: at(2.1), exited: at(3), exitCode: 1, reason: 'Error: exit code 1' })),
      terminated('second', 2, 3.1, 3, tm({ exited: at(3.1), exitCode: 3, reason: 'DependencyFailed: /startorder/run/dep/completed.err' })),
    ],
    { edges: [['dep', 'second', 'Completed', 'wrapper']], phase: 'Failed' },
  );
  const r = buildReport(p, noExtra);
  assert.deepEqual(c(r, 'second').failure, { reason: 'DependencyFailed: /startorder/run/dep/completed.err', source: 'termination-message' });
  assert.equal(c(r, 'second').state, 'failed');
  assert.equal(c(r, 'second').times.started, undefined);
  assert.deepEqual(c(r, 'dep').failure, { reason: 'Error: exit code 1', source: 'termination-message' });
  const text = renderText(r, T0 + 10_000);
  assert.match(
    text,
    /\nFailures:\n {2}dep: Error: exit code 1 \[termination-message\]\n {2}second: DependencyFailed: \/startorder\/run\/dep\/completed\.err \[termination-message\]\n/,
  );
  // the failed container that never ran: its wait bar is critical
  assert.match(renderMermaid(r, T0 + 10_000), / {2}section second\n {4}waits :crit, /);
});

test('a child that wrote its own termination message: the pod says why, with the text', () => {
  const p = pod('own', [wrapped('a')], [terminated('a', 1, 2, 2, 'config file missing')], { edges: [] });
  const r = buildReport(p, noExtra);
  assert.deepEqual(c(r, 'a').failure, { reason: 'Error: exit code 2: config file missing', source: 'pod' });
});

test('a pod startorder did not order: no plan, still the container states', () => {
  const p = pod('plain', [{ name: 'web', image: 'nginx' }], [running('web', 1, true)]);
  const r = buildReport(p, noExtra);
  assert.equal(r.ordered, false);
  assert.match(r.sources.record, /^absent: no startorder\.dev\/applied annotation/);
  assert.equal(c(r, 'web').state, 'ready');
  assert.match(renderText(r, T0), /not ordered by startorder/);
  const broken = buildReport(pod('broken', [{ name: 'web', image: 'nginx' }], [], { annotations: { 'startorder.dev/applied': '{"v":1}' } }), noExtra);
  assert.equal(broken.ordered, false);
  assert.match(broken.sources.record, /^unreadable/);
  assert.equal(c(broken, 'web').state, 'not-created');
});

test('a container the kubelet has not created yet, and one in CrashLoopBackOff', () => {
  const p = pod(
    'pending',
    [wrapped('a'), wrapped('b')],
    [
      { name: 'a', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } },
      {
        name: 'b',
        ready: false,
        restartCount: 4,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode: 5, reason: 'Error', finishedAt: at(9), message: tm({ exitCode: 5, reason: 'ReadyTimeout: -ready_timeout 5s' }) } },
      },
    ],
    { edges: [] },
  );
  const r = buildReport(p, noExtra);
  assert.equal(c(r, 'a').state, 'not-created');
  assert.equal(c(r, 'a').kubeReason, 'ContainerCreating');
  assert.equal(c(r, 'b').state, 'restarting');
  assert.equal(c(r, 'b').restarts, 4);
  assert.deepEqual(c(r, 'b').failure, { reason: 'ReadyTimeout: -ready_timeout 5s', source: 'termination-message' });
  assert.match(renderText(r, T0), /^a +app +not-created \(ContainerCreating\) \[pod\]/m);
  assert.match(renderText(r, T0), /^b +app +restarting, 4 restarts \[pod\]/m);
});

test('dates as the API client gives them (Date objects) read like strings', () => {
  const p = waitingPod();
  const st = (p.status as { containerStatuses: { state: { running: { startedAt: unknown } } }[] }).containerStatuses;
  st[1]!.state.running.startedAt = new Date(T0 + 2000);
  (p.metadata as Record<string, unknown>).creationTimestamp = new Date(T0);
  const r = buildReport(p, noExtra);
  assert.equal(r.created, at(0));
  assert.deepEqual(c(r, 'app').times.created, { at: at(2), source: 'pod' });
});

test('Mermaid task names lose the characters that end them', () => {
  const p = pod('x', [wrapped('a')], [running('a', 1, true)], { edges: [] });
  (p.metadata as Record<string, unknown>).namespace = 'ns:1#';
  assert.match(renderMermaid(buildReport(p, noExtra), T0 + 5000), /title Start-up of pod ns 1 \/x\n/);
});

test("the wrapper's wait lines, as runtime/internal/entrypoint/deps.go words them", async () => {
  const { parseWaitLines, parseTerminationMessage, parseStatusDirs } = await import('../src/status/facts.js');
  const log = [
    `${at(1)} startorder-entrypoint: waiting for db ready, /startorder/downward/ready (-wait_timeout 5m0s)`,
    `${at(2)} some output of the child: waiting for nothing`,
    `${at(31)} startorder-entrypoint: waiting 30s for db ready`,
    `${at(40)} startorder-entrypoint: waited 39.002s for db ready, /startorder/downward/ready: starting the child`,
    `${at(41)} startorder-entrypoint: gave up after 1.5s waiting for a started, b ready: a started can never happen`,
    `${at(42)} startorder-entrypoint: gave up after 5m0s waiting for b ready`,
    'not a timestamp startorder-entrypoint: waiting for x (no -wait_timeout)',
  ].join('\n');
  assert.deepEqual(parseWaitLines(log), [
    { at: at(1), kind: 'waiting', for: ['db ready', '/startorder/downward/ready'] },
    { at: at(31), kind: 'waiting', for: ['db ready'] },
    { at: at(40), kind: 'waited', for: ['db ready', '/startorder/downward/ready'] },
    { at: at(41), kind: 'gave-up', for: ['a started', 'b ready'], why: 'a started can never happen' },
    { at: at(42), kind: 'gave-up', for: ['b ready'] },
  ]);
  assert.deepEqual(parseTerminationMessage('{"waited":"2026-01-02T10:00:01Z","exitCode":3,"reason":"WaitTimeout: x","extra":1}'), {
    waited: '2026-01-02T10:00:01Z',
    exitCode: 3,
    reason: 'WaitTimeout: x',
  });
  for (const text of ['plain words', '[1,2]', '{"started":"yesterday"}', '{broken', 42]) assert.equal(parseTerminationMessage(text), undefined, String(text));
  assert.deepEqual(parseStatusDirs('{"v":1,"containers":{"db":{"files":{"started":"t\\n","x":1},"lock":"held","restart_policy":"Never"},"bad":3}}'), {
    db: { files: { started: 't' }, lock: 'held', restartPolicy: 'Never' },
  });
  assert.equal(parseStatusDirs('{"v":2,"containers":{}}'), undefined);
  assert.equal(parseStatusDirs('startorder-entrypoint: -entrypoint: no command'), undefined);
});

test('a dependency whose wrapper checks readiness itself: the kubelet\'s "ready" is not its readiness', () => {
  const p = pod(
    'own-ready',
    [wrapped('db', ['-ready_http', 'http://127.0.0.1:8081/ready']), wrapped('app', ['-wait_status', '/startorder/run/db/ready'])],
    [running('db', 2, true), running('app', 2, true)],
    {
      edges: [['db', 'app', 'Ready', 'wrapper']],
    },
  );
  const r = buildReport(p, { ...noExtra, logs: { db: `${at(2.2)} {"event":"start"}\n`, app: '' }, logsNote: 'read' });
  assert.equal(c(r, 'db').state, 'running');
  assert.equal(c(r, 'db').readyUnknown, true);
  assert.match(renderText(r, T0), /^db +app +running, ready: unknown \[pod\]/m);
  assert.equal(c(r, 'app').state, 'waiting');
  assert.deepEqual(c(r, 'app').waiting, { for: ['db ready'], since: at(2), source: 'inferred' });
  // a line of the child in app's log: its process runs, whatever db's readiness
  const r2 = buildReport(p, { ...noExtra, logs: { app: `${at(3)} listening on :80\n` }, logsNote: 'read' });
  assert.equal(c(r2, 'app').state, 'ready');
  assert.equal(c(r2, 'app').stateSource, 'logs');
});

test('exit 0 after -exit_with is no failure; OnErrorContinue is', () => {
  const p = pod(
    'ends',
    [wrapped('side'), wrapped('job')],
    [
      terminated('side', 1, 5, 0, tm({ started: at(1.1), exited: at(5), exitCode: 0, reason: 'ExitWith: /startorder/run/main/exited' })),
      terminated('job', 1, 5, 0, tm({ started: at(1.1), exited: at(5), exitCode: 0, reason: 'OnErrorContinue: exit code 2' })),
    ],
    { edges: [] },
  );
  const r = buildReport(p, noExtra);
  assert.equal(c(r, 'side').failure, undefined);
  assert.equal(c(r, 'side').state, 'completed');
  assert.deepEqual(c(r, 'job').failure, { reason: 'OnErrorContinue: exit code 2', source: 'termination-message' });
});

test('the gate: a container waits until the pod annotation the downward volume shows is set', () => {
  const gated = (annotations: Record<string, string>) => {
    const p = pod('gated', [wrapped('app', ['-wait_file', '/startorder/downward/ready', '-wait_file_content'])], [running('app', 2, true)], {
      edges: [],
      annotations,
    });
    (p.spec as Record<string, unknown>).volumes = [
      { name: 'startorder-downward', downwardAPI: { items: [{ path: 'ready', fieldRef: { fieldPath: "metadata.annotations['example.com/go']" } }] } },
    ];
    return buildReport(p, noExtra);
  };
  const shut = c(gated({}), 'app');
  assert.deepEqual(shut.gate, { annotation: 'example.com/go', open: false });
  assert.equal(shut.state, 'waiting');
  assert.deepEqual(shut.waiting, { for: ['gate (annotation example.com/go)'], since: at(2), source: 'inferred' });
  const open = c(gated({ 'example.com/go': 'true' }), 'app');
  assert.equal(open.state, 'ready');
  assert.equal(open.waiting, undefined);
});
