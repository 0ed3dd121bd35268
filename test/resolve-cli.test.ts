/**
 * `startorder --resolve-images` / `--locked` through the CLI, against a real registry on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

/** A registry test: skipped one by one (so the summary counts each) when the registry cannot run here. */
// node:test awaits the test itself; rit only registers it.
const rit = (name: string, fn: () => Promise<void> | void): void => void it(name, { skip }, fn);
import { runCli } from './helpers.js';
import { Pusher } from './registry/push.js';
import { freePort, registrySkip, startRegistry, tempDir, type Registry } from './registry/registry.js';

const skip = registrySkip();
const dockerConfigDir = tempDir('docker-config-cli');
process.env.DOCKER_CONFIG = dockerConfigDir;
after(() => rmSync(dockerConfigDir, { recursive: true, force: true }));

const deployment = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: agent
          image: ${image}
        - name: app
          image: busybox
          command: [sh, -c, 'sleep 1d']
`;
const order =
  'apiVersion: startorder.dev/v1alpha1\nkind: StartOrder\nmetadata: {name: web}\nspec:\n  mode: wrapper\n  containers:\n    - {name: agent, ready: {file: /tmp/ready}}\n    - {name: app, after: [agent]}\n';

describe('startorder --resolve-images', () => {
  let reg: Registry;
  let image: string;
  before(async () => {
    if (skip) return;
    reg = await startRegistry();
    await new Pusher(reg.url).image('team/agent', 'v1', { entrypoint: ['/bin/agent'], cmd: ['--watch'] });
    image = `${reg.host}/team/agent:v1`;
  });
  after(async () => {
    if (skip) return;
    if (!skip) await reg?.stop();
  });

  rit('resolves, writes startorder.lock, and a --locked run needs no registry', async () => {
    const own = await startRegistry();
    await new Pusher(own.url).image('team/agent', 'v1', { entrypoint: ['/bin/agent'], cmd: ['--watch'] });
    const image = `${own.host}/team/agent:v1`;
    const files = { 'd.yaml': deployment(image), 'o.yaml': order };
    const first = await runCli(['-c', 'o.yaml', '--resolve-images', 'd.yaml'], files);
    await own.stop();
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /- \/bin\/agent/);
    assert.match(first.stdout, /--watch/);
    const lock = first.files['startorder.lock'];
    assert.ok(lock);
    assert.match(lock, new RegExp(`${image.replace(/\./g, '\\.')}:\\n\\s+reference: `));
    assert.match(lock, /digest: sha256:[0-9a-f]{64}/);
    // The registry is stopped, its port closed: --locked must not need it.
    const moved = { 'd.yaml': deployment(image), 'o.yaml': order, 'startorder.lock': lock };
    const second = await runCli(['-c', 'o.yaml', '--locked', 'd.yaml'], moved);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, first.stdout);
    assert.equal(second.files['startorder.lock'], lock);
  });

  rit('--locked without the entry: exit 1 at the container, naming the image; nothing written', async () => {
    const r = await runCli(['-c', 'o.yaml', '--locked', 'd.yaml'], { 'd.yaml': deployment(image), 'o.yaml': order });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const [d] = JSON.parse(
      (await runCli(['-c', 'o.yaml', '--locked', '--error-format', 'json', 'd.yaml'], { 'd.yaml': deployment(image), 'o.yaml': order })).stderr,
    );
    assert.deepEqual([d.code, d.file, d.container, d.path], ['image-not-locked', 'd.yaml', 'agent', ['spec', 'template', 'spec', 'containers', 0]]);
    assert.match(r.stderr, /^d\.yaml:\d+:\d+: error\[image-not-locked\]/m);
    assert.equal(r.files['startorder.lock'], undefined);
  });

  rit('registry down: exit 1, a diagnostic naming image and registry, no output, no lock', async () => {
    const port = await freePort();
    const r = await runCli(['-c', 'o.yaml', '--resolve-images', '--lock-file', 'ci/lock.json', 'd.yaml'], {
      'd.yaml': deployment(`127.0.0.1:${port}/x/y:1`),
      'o.yaml': order,
    });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^d\.yaml:\d+:\d+: error\[registry-unreachable\]/m);
    assert.deepEqual(Object.keys(r.files).sort(), ['d.yaml', 'o.yaml']);
  });

  rit('a malformed lock file: lock-invalid at the lock file', async () => {
    const r = await runCli(['-c', 'o.yaml', '--locked', 'd.yaml'], { 'd.yaml': deployment(image), 'o.yaml': order, 'startorder.lock': 'version: 7\n' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^startorder\.lock: error\[lock-invalid\]/m);
  });

  rit('--resolve-images --write on stdin: a usage error before anything is looked up or written', async () => {
    const r = await runCli(['-c', 'o.yaml', '--resolve-images', '--write'], { 'o.yaml': order }, deployment(image));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--write needs file arguments, not stdin/);
    assert.deepEqual(Object.keys(r.files), ['o.yaml']);
  });

  rit('a JSON lock file with --lock-file x.json; check writes no lock', async () => {
    const files = { 'd.yaml': deployment(image), 'o.yaml': order };
    const r = await runCli(['-c', 'o.yaml', '--resolve-images', '--lock-file', 'lock.json', 'd.yaml'], files);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.files['lock.json']!).images[image].entrypoint[0], '/bin/agent');
    const c = await runCli(['check', '-c', 'o.yaml', '--resolve-images', 'd.yaml'], files);
    assert.equal(c.code, 1); // out of date (d.yaml is not rewritten yet)
    assert.equal(c.files['startorder.lock'], undefined);
  });
});
