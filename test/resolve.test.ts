/**
 * --resolve-images against real registries on 127.0.0.1: Debian's docker-registry without auth, with
 * htpasswd basic auth, and with token auth (a Node token server signing JWTs the registry verifies).
 * Images are pushed by the tests through the distribution API.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

/** A registry test: skipped one by one (so the summary counts each) when the registry cannot run here. */
// node:test awaits the test itself; rit only registers it.
const rit = (name: string, fn: () => Promise<void> | void): void => void it(name, { skip }, fn);
import { run } from '../src/pipeline/index.js';
import { nodeRegistryPorts } from '../src/cli/node-registry.js';
import {
  parseReference,
  readLockfile,
  resolveImages as resolveWith,
  writeLockfile,
  type Lockfile,
  type ResolveOptions,
  type ResolvePorts,
} from '../src/resolve/index.js';
import { lockFileSource, registrySource } from '../src/resolve/source.js';
import { freePort, registrySkip, startRegistry, startSilentServer, tempDir, type Registry } from './registry/registry.js';
import { Pusher, type Pushed } from './registry/push.js';
import { startTokenServer, type TokenServer } from './registry/token-server.js';

const skip = registrySkip();
/** Never called: a run that must not touch the network gets this fetch. */
const noNetwork = (async () => {
  throw new Error('network used');
}) as unknown as typeof fetch;

function dockerConfig(auths: Record<string, unknown>): string {
  const dir = tempDir('docker-config');
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths }));
  return dir;
}
const emptyDockerConfig = tempDir('docker-config-empty');
const base = { locked: false, dockerConfigDir: emptyDockerConfig, timeoutMs: 5000 };
/** resolveImages with Node's ports: `fetch` and `dockerConfigDir` (default $DOCKER_CONFIG) as given. */
function resolveImages(images: string[], o: ResolveOptions & { dockerConfigDir?: string; fetch?: typeof fetch }) {
  const { dockerConfigDir, fetch: f, ...opts } = o;
  const ports: ResolvePorts = { ...nodeRegistryPorts(dockerConfigDir), ...(f ? { fetch: f } : {}) };
  return resolveWith(images, opts, ports);
}

describe('image references', () => {
  it('normalises like Docker', () => {
    const cases: [string, string, string][] = [
      ['nginx', 'docker.io/library/nginx:latest', 'registry-1.docker.io'],
      ['nginx:1.27', 'docker.io/library/nginx:1.27', 'registry-1.docker.io'],
      ['bitnami/redis:7', 'docker.io/bitnami/redis:7', 'registry-1.docker.io'],
      ['docker.io/nginx', 'docker.io/library/nginx:latest', 'registry-1.docker.io'],
      ['index.docker.io/library/nginx', 'docker.io/library/nginx:latest', 'registry-1.docker.io'],
      ['ghcr.io/a/b/c:v1', 'ghcr.io/a/b/c:v1', 'ghcr.io'],
      ['localhost/app', 'localhost/app:latest', 'localhost'],
      ['127.0.0.1:5000/team/app:v2', '127.0.0.1:5000/team/app:v2', '127.0.0.1:5000'],
      [`nginx@sha256:${'a'.repeat(64)}`, `docker.io/library/nginx@sha256:${'a'.repeat(64)}`, 'registry-1.docker.io'],
      [`r.example:443/x:t@sha256:${'b'.repeat(64)}`, `r.example:443/x:t@sha256:${'b'.repeat(64)}`, 'r.example:443'],
    ];
    for (const [ref, canonical, api] of cases) {
      const r = parseReference(ref);
      assert.equal(r.canonical, canonical, ref);
      assert.equal(r.apiHost, api, ref);
    }
    for (const bad of ['Nginx', 'nginx:', 'nginx@sha256:xyz', '', 'a//b', 'nginx:bad tag']) assert.throws(() => parseReference(bad), bad);
  });
});

describe('lock file', () => {
  const lock: Lockfile = {
    version: 1,
    images: {
      'zeta:1': {
        reference: 'docker.io/library/zeta:1',
        digest: `sha256:${'1'.repeat(64)}`,
        platform: 'linux/amd64',
        entrypoint: [],
        cmd: ['run', 'yes', 'on'],
      },
      'alpha:2': {
        reference: 'docker.io/library/alpha:2',
        digest: `sha256:${'2'.repeat(64)}`,
        index: `sha256:${'3'.repeat(64)}`,
        platform: 'linux/arm64',
        entrypoint: ['/e', 'a: b'],
        cmd: [],
      },
    },
  };
  it('is deterministic and sorted, in YAML and JSON, and reads back', () => {
    const yaml = writeLockfile(lock);
    assert.equal(yaml, writeLockfile({ version: 1, images: Object.fromEntries(Object.entries(lock.images).reverse()) }));
    assert.ok(yaml.indexOf('alpha:2') < yaml.indexOf('zeta:1'));
    assert.deepEqual(readLockfile(yaml).lock, lock);
    const json = writeLockfile(lock, 'json');
    assert.deepEqual(Object.keys(JSON.parse(json).images), ['alpha:2', 'zeta:1']);
    assert.deepEqual(readLockfile(json).lock, lock);
  });
  it('says lock-invalid for a malformed file or entry', () => {
    for (const text of ['images: [', 'version: 2\nimages: {}', '[1]', 'version: 1\nimages:\n  a:1: {reference: x}']) {
      const r = readLockfile(text, 'startorder.lock');
      assert.equal(r.lock, undefined, text);
      assert.equal(r.diagnostics[0]?.code, 'lock-invalid', text);
    }
  });
  it('--locked: a missing entry is an error naming the image; a wrong platform is a mismatch', async () => {
    const missing = await resolveImages(['ghcr.io/acme/api:1'], { ...base, lock, locked: true, fetch: noNetwork });
    assert.deepEqual(
      missing.diagnostics.map((d) => [d.code, d.image]),
      [['image-not-locked', 'ghcr.io/acme/api:1']],
    );
    assert.deepEqual(missing.entries, []);
    const wrong = await resolveImages(['alpha:2'], { ...base, lock, locked: false, fetch: noNetwork });
    assert.deepEqual(
      wrong.diagnostics.map((d) => [d.code, d.image]),
      [['lock-mismatch', 'alpha:2']],
    );
    assert.match(wrong.diagnostics[0]!.hint ?? '', /--platform linux\/arm64/);
    const ok = await resolveImages(['alpha:2', 'zeta:1'], { ...base, lock, locked: true, platform: 'linux/arm64', fetch: noNetwork });
    assert.deepEqual(
      ok.diagnostics.map((d) => [d.code, d.image]),
      [['lock-mismatch', 'zeta:1']],
    ); // zeta:1 is amd64
    const platform = await resolveImages(['zeta:1'], { ...base, lock, locked: true, platform: 'linux', fetch: noNetwork });
    assert.deepEqual(
      platform.diagnostics.map((d) => [d.code, d.image]),
      [['platform-invalid', 'zeta:1']],
    );
    const bad = await resolveImages(['Zeta:1'], { ...base, lock, locked: true, fetch: noNetwork });
    assert.deepEqual(
      bad.diagnostics.map((d) => [d.code, d.image]),
      [['image-reference-invalid', 'Zeta:1']],
    );
    const fine = await resolveImages(['zeta:1'], { ...base, lock, locked: true, fetch: noNetwork });
    assert.deepEqual(fine.entries, [{ image: 'zeta:1', command: [], args: ['run', 'yes', 'on'] }]);
  });
});

const deployment = (image: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - name: agent\n          image: ${image}\n        - name: app\n          image: busybox\n          command: [sh, -c, 'sleep 1d']\n        - name: late\n          image: ${image}\n`;
const order = {
  name: 'order.yaml',
  text: JSON.stringify({
    apiVersion: 'startorder.dev/v1alpha1',
    kind: 'StartOrder',
    metadata: { name: 'web' },
    spec: {
      mode: 'wrapper',
      containers: [
        { name: 'agent', ready: { file: '/tmp/ready' } },
        { name: 'app', after: ['agent'] },
      ],
    },
  }),
};

describe('the pipeline and its image source', () => {
  const lock: Lockfile = {
    version: 1,
    images: {
      'acme/agent:1': {
        reference: 'docker.io/acme/agent:1',
        digest: `sha256:${'4'.repeat(64)}`,
        platform: 'linux/amd64',
        entrypoint: ['/agent'],
        cmd: ['run'],
      },
    },
  };
  const lockPort = (text: string | undefined) => ({ file: 'ci/startorder.lock', read: async () => text });

  it('asks the source once, for the images of containers without command, and plans with the answer', async () => {
    const asked: string[][] = [];
    const source = lockFileSource(lockPort(writeLockfile(lock)));
    const r = await run(
      { inputs: [{ name: 'd.yaml', text: deployment('acme/agent:1') }], configs: [order] },
      { images: { lookUp: (i) => (asked.push([...i]), source.lookUp(i)) } },
    );
    assert.deepEqual(asked, [['acme/agent:1']]);
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    assert.match(r.files[0]!.text, /- \/agent\n/);
    assert.equal(r.lock, undefined); // the lock file did not change
  });

  it('does not ask when every container has a command, nor without a source', async () => {
    let asked = 0;
    const images = { lookUp: async () => (asked++, { entries: [], diagnostics: [] }) };
    const r = await run(
      { inputs: [{ name: 'd.yaml', text: deployment('acme/agent:1') }], configs: [order], resolvedImages: [{ image: 'acme/agent:1', command: ['/a'] }] },
      { images },
    );
    assert.equal(asked, 0);
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    const without = await run({ inputs: [{ name: 'd.yaml', text: deployment('acme/agent:1') }], configs: [order] });
    assert.deepEqual(
      without.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.container]),
      [['missing-command', 'agent']],
    );
  });

  it('a lookup problem stands at the container, a lock-file problem at the lock file; nothing is emitted', async () => {
    const notLocked = await run(
      { inputs: [{ name: 'd.yaml', text: deployment('acme/other:1') }], configs: [order] },
      { images: lockFileSource(lockPort(writeLockfile(lock))) },
    );
    assert.deepEqual(
      notLocked.diagnostics.map((d) => [d.code, d.file, d.container, d.path?.join('.')]),
      [['image-not-locked', 'd.yaml', 'agent', 'spec.template.spec.containers.0']],
    );
    assert.equal(notLocked.diagnostics[0]!.image, undefined);
    assert.deepEqual(notLocked.files, []);
    const invalid = await run(
      { inputs: [{ name: 'd.yaml', text: deployment('acme/agent:1') }], configs: [order] },
      { images: lockFileSource(lockPort('version: 7\n')) },
    );
    assert.deepEqual(
      invalid.diagnostics.map((d) => [d.code, d.file, d.container]),
      [['lock-invalid', 'ci/startorder.lock', undefined]],
    );
    const other = { ...lock, images: { 'acme/agent:1': { ...lock.images['acme/agent:1']!, platform: 'linux/arm64' } } };
    const mismatch = await run(
      { inputs: [{ name: 'd.yaml', text: deployment('acme/agent:1') }], configs: [order] },
      { images: lockFileSource(lockPort(writeLockfile(other))) },
    );
    assert.deepEqual(
      mismatch.diagnostics.map((d) => [d.code, d.file]),
      [['lock-mismatch', 'ci/startorder.lock']],
    );
  });

  it("a lock file that gains an entry comes back as the result's lock, in the format its name says", async () => {
    const entries = [{ image: 'acme/agent:1', command: ['/agent'], args: ['run'] }];
    const images = { lookUp: async () => ({ entries, diagnostics: [], lock: { file: 'l.json', text: '{}' } }) };
    const r = await run({ inputs: [{ name: 'd.yaml', text: deployment('acme/agent:1') }], configs: [order] }, { images });
    assert.deepEqual(r.lock, { file: 'l.json', text: '{}' });
    const failing = await run(
      { inputs: [{ name: 'd.yaml', text: deployment('acme/agent:1').replace('command: [sh', 'command: [1') }], configs: [order] },
      { images },
    );
    assert.ok(failing.diagnostics.some((d) => d.severity === 'error'));
    assert.equal(failing.lock, undefined); // a run with an error writes nothing
  });
});

describe('registry without auth', () => {
  let reg: Registry;
  let amd: Pushed;
  let arm: Pushed;
  let index: Pushed;
  let single: Pushed;
  before(async () => {
    if (skip) return;
    reg = await startRegistry();
    const p = new Pusher(reg.url);
    single = await p.image('team/app', 'v1', { entrypoint: ['/bin/app', '--config', '/etc/app.yaml'], cmd: ['serve'] });
    await p.image('team/cmdonly', 'v1', { entrypoint: null, cmd: ['python', '-m', 'http.server'] });
    await p.image('team/armonly', 'v1', { entrypoint: ['/x'], architecture: 'arm64', variant: 'v8' });
    amd = await p.image('team/multi', undefined, { entrypoint: ['/amd64/run'], cmd: ['a'] });
    arm = await p.image('team/multi', undefined, { entrypoint: ['/arm64/run'], cmd: ['b'], architecture: 'arm64', variant: 'v8' });
    index = await p.index('team/multi', '1.0', [
      { pushed: amd, os: 'linux', architecture: 'amd64' },
      { pushed: arm, os: 'linux', architecture: 'arm64', variant: 'v8' },
    ]);
  });
  after(async () => {
    if (!skip) await reg?.stop();
  });

  rit('resolves ENTRYPOINT → command and CMD → args, anonymously, and records the digest', async () => {
    const image = `${reg.host}/team/app:v1`;
    const r = await resolveImages([image, image], base);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.entries, [{ image, command: ['/bin/app', '--config', '/etc/app.yaml'], args: ['serve'] }]);
    assert.deepEqual(r.lock.images[image], {
      reference: image,
      digest: single.digest,
      platform: 'linux/amd64',
      entrypoint: ['/bin/app', '--config', '/etc/app.yaml'],
      cmd: ['serve'],
    });
  });

  rit('an image without ENTRYPOINT: command [] and args = CMD', async () => {
    const r = await resolveImages([`${reg.host}/team/cmdonly:v1`], base);
    assert.deepEqual(r.entries[0], { image: `${reg.host}/team/cmdonly:v1`, command: [], args: ['python', '-m', 'http.server'] });
  });

  rit('resolves by digest', async () => {
    const image = `${reg.host}/team/app@${single.digest}`;
    const r = await resolveImages([image], base);
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.lock.images[image]?.digest, single.digest);
  });

  rit('a multi-arch index: linux/amd64 by default, linux/arm64 when asked, an error for a platform it lacks', async () => {
    const image = `${reg.host}/team/multi:1.0`;
    const amd64 = await resolveImages([image], base);
    assert.deepEqual(amd64.entries[0], { image, command: ['/amd64/run'], args: ['a'] });
    assert.deepEqual(amd64.lock.images[image], {
      reference: image,
      digest: amd.digest,
      index: index.digest,
      platform: 'linux/amd64',
      entrypoint: ['/amd64/run'],
      cmd: ['a'],
    });
    const arm64 = await resolveImages([image], { ...base, platform: 'linux/arm64' });
    assert.deepEqual(arm64.entries[0], { image, command: ['/arm64/run'], args: ['b'] });
    assert.equal(arm64.lock.images[image]?.digest, arm.digest);
    assert.equal(arm64.lock.images[image]?.platform, 'linux/arm64');
    const s390 = await resolveImages([image], { ...base, platform: 'linux/s390x' });
    assert.deepEqual(
      s390.diagnostics.map((d) => [d.code, d.image]),
      [['platform-not-found', image]],
    );
    const armOnly = await resolveImages([`${reg.host}/team/armonly:v1`], base);
    assert.deepEqual(
      armOnly.diagnostics.map((d) => d.code),
      ['platform-mismatch'],
    );
  });

  rit('an unknown tag (404) is a diagnostic naming the image and the registry; nothing goes into the lock', async () => {
    const image = `${reg.host}/team/app:nope`;
    const good = `${reg.host}/team/app:v1`;
    const r = await resolveImages([good, image], base);
    assert.deepEqual(r.entries, []);
    assert.deepEqual(r.lock, { version: 1, images: {} });
    assert.equal(r.diagnostics.length, 1);
    const d = r.diagnostics[0]!;
    assert.equal(d.code, 'registry-not-found');
    assert.equal(d.image, image);
    const repo = await resolveImages([`${reg.host}/team/none:v1`], base);
    assert.deepEqual(
      repo.diagnostics.map((x) => x.code),
      ['registry-not-found'],
    );
  });

  rit('the lock file makes later runs offline: --locked against a stopped registry', async () => {
    const own = await startRegistry();
    const p = new Pusher(own.url);
    await p.image('offline/app', 'v1', { entrypoint: ['/run'], cmd: ['x'] });
    const image = `${own.host}/offline/app:v1`;
    const first = await resolveImages([image, `${reg.host}/team/multi:1.0`], base);
    assert.deepEqual(first.diagnostics, []);
    const text = writeLockfile(first.lock);
    await own.stop(); // its port is closed now: any lookup would fail
    const lock = readLockfile(text).lock!;
    let calls = 0;
    const counting = ((...a: Parameters<typeof fetch>) => (calls++, fetch(...a))) as typeof fetch;
    const locked = await resolveImages([image, `${reg.host}/team/multi:1.0`], { ...base, lock, locked: true, fetch: counting });
    assert.deepEqual(locked.diagnostics, []);
    assert.deepEqual(locked.entries, first.entries);
    assert.equal(calls, 0);
    assert.equal(writeLockfile(locked.lock), text);
    // Without --locked too: what the lock has is not looked up again.
    const again = await resolveImages([image], { ...base, lock, fetch: counting });
    assert.deepEqual(again.diagnostics, []);
    assert.equal(calls, 0);
    // And a new image alongside still fails cleanly against the closed port.
    const down = await resolveImages([`${own.host}/offline/other:v1`], { ...base, lock, fetch: counting });
    assert.equal(down.diagnostics[0]?.code, 'registry-unreachable');
    assert.deepEqual(down.lock, lock);
  });

  rit('feeds the pipeline: the images the plans lack are looked up once, and the transform passes', async () => {
    const image = `${reg.host}/team/app:v1`;
    const asked: string[][] = [];
    const source = registrySource({ file: 'startorder.lock', read: async () => undefined }, { timeoutMs: 5000 }, nodeRegistryPorts(emptyDockerConfig));
    const counting = { lookUp: (images: readonly string[]) => (asked.push([...images]), source.lookUp(images)) };
    const r = await run({ inputs: [{ name: 'd.yaml', text: deployment(image) }], configs: [order] }, { images: counting });
    assert.deepEqual(asked, [[image]]);
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    assert.match(r.files[0]!.text, /-entrypoint/);
    assert.match(r.files[0]!.text, /\/bin\/app/);
    assert.equal(readLockfile(r.lock!.text).lock!.images[image]?.digest, single.digest);
    assert.equal(r.lock!.file, 'startorder.lock');
  });
});

describe('registry with htpasswd basic auth', () => {
  let reg: Registry;
  const dirs: string[] = [];
  before(async () => {
    if (skip) return;
    reg = await startRegistry({ kind: 'htpasswd', users: { ci: 's3cret:x' } });
    await new Pusher(reg.url, { username: 'ci', password: 's3cret:x' }).image('private/app', 'v1', { entrypoint: ['/private'], cmd: ['go'] });
  });
  after(async () => {
    if (skip) return;
    await reg?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const cfg = (auths: Record<string, unknown>) => {
    const d = dockerConfig(auths);
    dirs.push(d);
    return d;
  };

  rit('uses auths.<host>.auth from config.json in DOCKER_CONFIG', async () => {
    const dir = cfg({ [reg.host]: { auth: Buffer.from('ci:s3cret:x').toString('base64') } });
    const image = `${reg.host}/private/app:v1`;
    const saved = process.env.DOCKER_CONFIG;
    process.env.DOCKER_CONFIG = dir;
    try {
      const r = await resolveImages([image], { locked: false, timeoutMs: 5000 });
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.entries, [{ image, command: ['/private'], args: ['go'] }]);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_CONFIG;
      else process.env.DOCKER_CONFIG = saved;
    }
  });

  rit('uses username/password fields, under an http://host/v2/ key', async () => {
    const dir = cfg({ [`http://${reg.host}/v2/`]: { username: 'ci', password: 's3cret:x' } });
    const r = await resolveImages([`${reg.host}/private/app:v1`], { ...base, dockerConfigDir: dir });
    assert.deepEqual(r.diagnostics, []);
  });

  rit('a wrong password (401) is a diagnostic naming the image, the registry and the config file', async () => {
    const dir = cfg({ [reg.host]: { auth: Buffer.from('ci:wrong').toString('base64') } });
    const image = `${reg.host}/private/app:v1`;
    const r = await resolveImages([image], { ...base, dockerConfigDir: dir });
    assert.equal(r.diagnostics.length, 1);
    const d = r.diagnostics[0]!;
    assert.equal(d.code, 'registry-unauthorized');
    assert.equal(d.image, image);
  });

  rit('no credentials: registry-unauthorized', async () => {
    const r = await resolveImages([`${reg.host}/private/app:v1`], base);
    assert.deepEqual(
      r.diagnostics.map((d) => d.code),
      ['registry-unauthorized'],
    );
  });

  rit('a config.json that is not JSON: docker-config-invalid', async () => {
    const dir = tempDir('docker-config-bad');
    dirs.push(dir);
    writeFileSync(join(dir, 'config.json'), '{not json');
    const r = await resolveImages([`${reg.host}/private/app:v1`], { ...base, dockerConfigDir: dir });
    assert.deepEqual(
      r.diagnostics.map((d) => d.code),
      ['docker-config-invalid'],
    );
  });
});

describe('registry with bearer token auth', () => {
  let tokens: TokenServer;
  let reg: Registry;
  const dirs: string[] = [];
  before(async () => {
    if (skip) return;
    tokens = await startTokenServer({ robot: 'pw' });
    reg = await startRegistry({ kind: 'token', realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, certFile: tokens.certFile });
    const p = new Pusher(reg.url, { username: 'robot', password: 'pw' });
    await p.image('secret/app', 'v1', { entrypoint: ['/tok'], cmd: ['en'] });
    await p.image('public/app', 'v1', { entrypoint: ['/pub'] });
  });
  after(async () => {
    if (skip) return;
    await reg?.stop();
    await tokens?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  rit('anonymous token for a public repository', async () => {
    const r = await resolveImages([`${reg.host}/public/app:v1`], base);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.entries[0]?.command, ['/pub']);
  });

  rit('token from the realm with basic credentials from config.json', async () => {
    const dir = dockerConfig({ [reg.host]: { auth: Buffer.from('robot:pw').toString('base64') } });
    dirs.push(dir);
    const r = await resolveImages([`${reg.host}/secret/app:v1`], { ...base, dockerConfigDir: dir });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.entries[0], { image: `${reg.host}/secret/app:v1`, command: ['/tok'], args: ['en'] });
  });

  rit('wrong password at the token endpoint: a diagnostic', async () => {
    const dir = dockerConfig({ [reg.host]: { username: 'robot', password: 'nope' } });
    dirs.push(dir);
    const r = await resolveImages([`${reg.host}/secret/app:v1`], { ...base, dockerConfigDir: dir });
    assert.deepEqual(
      r.diagnostics.map((d) => d.code),
      ['registry-unauthorized'],
    );
  });

  rit('anonymous on a private repository: the token has no access, so 401', async () => {
    const r = await resolveImages([`${reg.host}/secret/app:v1`], base);
    assert.deepEqual(
      r.diagnostics.map((d) => d.code),
      ['registry-unauthorized'],
    );
  });
});

describe('registry down or slow', () => {
  it('a closed port: connection refused, naming image and registry', async () => {
    const port = await freePort();
    const image = `127.0.0.1:${port}/team/app:v1`;
    const r = await resolveImages([image], base);
    assert.equal(r.diagnostics.length, 1);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.image]),
      [['registry-unreachable', image]],
    );
  });

  it('a registry that never answers: timed out after timeoutMs', async () => {
    const silent = await startSilentServer();
    try {
      const r = await resolveImages([`${silent.host}/team/app:v1`], { ...base, timeoutMs: 300 });
      assert.deepEqual(
        r.diagnostics.map((d) => d.code),
        ['registry-timeout'],
      );
    } finally {
      await silent.stop();
    }
  });

  it('https for other registries unless --insecure-registry lists them', async () => {
    let seen = '';
    const spy = (async (u: string | URL | Request) => {
      seen = u instanceof Request ? u.url : String(u);
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    }) as unknown as typeof fetch;
    await resolveImages(['registry.internal:5000/a:1'], { ...base, fetch: spy });
    assert.equal(seen, 'https://registry.internal:5000/v2/a/manifests/1');
    await resolveImages(['registry.internal:5000/a:1'], { ...base, fetch: spy, insecureRegistries: ['registry.internal:5000'] });
    assert.equal(seen, 'http://registry.internal:5000/v2/a/manifests/1');
    await resolveImages(['nginx'], { ...base, fetch: spy });
    assert.equal(seen, 'https://registry-1.docker.io/v2/library/nginx/manifests/latest');
  });
});

after(() => rmSync(emptyDockerConfig, { recursive: true, force: true }));
