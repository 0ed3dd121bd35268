/**
 * `startorder runtime-image push` against real registries on 127.0.0.1 (Debian's docker-registry):
 * anonymous, htpasswd basic auth, and token auth; the pushed index is read back and must have the
 * pinned digest, with every manifest and blob it names.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { nodeDockerConfig } from '../src/cli/node-registry.js';
import { RUNTIME_IMAGE_DIGEST, RUNTIME_IMAGE_TAG } from '../src/generated/runtime-image.js';
import { readLayout } from '../src/image/layout.js';
import { pushCommand } from '../src/image/push-command.js';
import { pushPlan } from '../src/image/push.js';
import { layoutDir, SHIPPED_LAYOUT } from '../src/image/save.js';
import { freePort, registrySkip, startRegistry, type Registry } from './registry/registry.js';
import { dockerConfig, push, readBack, sha256 } from './registry/push-cli.js';
import { startTokenServer, type TokenServer } from './registry/token-server.js';

const skip = registrySkip();
// node:test awaits the test itself; rit only registers it.
const rit = (name: string, fn: () => Promise<void>): void => void it(name, { skip }, fn);
const BIN = join(import.meta.dirname, '..', 'bin', 'startorder.js');
const PINNED_TAG = RUNTIME_IMAGE_TAG.slice(RUNTIME_IMAGE_TAG.lastIndexOf(':') + 1);

const plan = async () => pushPlan(await readLayout(layoutDir(SHIPPED_LAYOUT)));

describe('runtime-image push, anonymous registry', () => {
  let reg: Registry;
  before(async () => {
    if (!skip) reg = await startRegistry();
  });
  after(async () => reg?.stop());

  rit('pushes the index with the pinned digest and every manifest and blob; says the line to use it; a second push skips the blobs', async () => {
    const first = await push([`${reg.host}/mirror/startorder-entrypoint:v1`]);
    assert.equal(first.code, 0, first.stderr);
    const use = `${reg.host}/mirror/startorder-entrypoint:v1@${RUNTIME_IMAGE_DIGEST}`;
    assert.ok(first.stderr.includes(`--runtime-image ${use}\n`), first.stderr);
    assert.ok(first.stderr.includes(`runtime.image: ${use}\n`), first.stderr);
    assert.equal(await readBack(`${reg.host}/mirror/startorder-entrypoint:v1`), RUNTIME_IMAGE_DIGEST);
    // An independent look: the bytes by tag hash to the pinned digest.
    const raw = await fetch(`${reg.url}/v2/mirror/startorder-entrypoint/manifests/v1`, { headers: { accept: 'application/vnd.oci.image.index.v1+json' } });
    assert.equal(sha256(new Uint8Array(await raw.arrayBuffer())), RUNTIME_IMAGE_DIGEST);
    const blobs = (await plan()).blobs.length;
    assert.equal(blobs, 4, 'two platforms, a config and a layer each');
    assert.equal(first.counts['HEAD blob'], blobs);
    assert.equal(first.counts['POST upload'], blobs);
    assert.equal(first.counts['PUT upload'], blobs);
    assert.equal(first.counts['PATCH upload'], undefined);
    assert.equal(first.counts['PUT manifest'], 4, 'two platform manifests, the index by digest and by tag');
    const sent = Object.values(first.counts).reduce((n, c) => n + c, 0);
    assert.ok(first.stderr.includes(`; ${sent} requests;`), `${sent} requests: ${first.stderr}`);
    const again = await push([`${reg.host}/mirror/startorder-entrypoint:v1`]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.counts['HEAD blob'], blobs);
    assert.equal(again.counts['POST upload'], undefined, 'no blob uploaded the second time');
    assert.match(again.stderr, new RegExp(`${blobs} already there`));
    console.log(`# push: first ${first.ms} ms (${JSON.stringify(first.counts)}), again ${again.ms} ms (${JSON.stringify(again.counts)})`);
  });

  rit('without a tag, pushes under the tag of the pinned image', async () => {
    const r = await push([`${reg.host}/notag/rt`]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stderr.includes(`--runtime-image ${reg.host}/notag/rt:${PINNED_TAG}@${RUNTIME_IMAGE_DIGEST}`), r.stderr);
    assert.equal(await readBack(`${reg.host}/notag/rt:${PINNED_TAG}`), RUNTIME_IMAGE_DIGEST);
  });

  rit('chunked: blobs above --chunk-size go in PATCH chunks of that size, smaller ones whole', async () => {
    const chunk = 300_000;
    const p = await plan();
    const chunks = p.blobs.filter((b) => b.size > chunk).reduce((n, b) => n + Math.ceil(b.size / chunk), 0);
    assert.ok(chunks >= 6, `the layers are about 1 MB: ${chunks} chunks`);
    const r = await push([`${reg.host}/chunked/rt:c`, '--chunk-size', String(chunk)]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.counts['PATCH upload'], chunks);
    assert.equal(r.counts['PUT upload'], p.blobs.length);
    assert.equal(await readBack(`${reg.host}/chunked/rt:c`), RUNTIME_IMAGE_DIGEST);
  });

  rit('--from REPO mounts the blobs from another repository; one that lacks them falls back to uploads', async () => {
    assert.equal((await push([`${reg.host}/source/rt:s`])).code, 0);
    const mounted = await push([`${reg.host}/mounted/rt:m`, '--from', 'source/rt']);
    assert.equal(mounted.code, 0, mounted.stderr);
    assert.equal(mounted.counts['PUT upload'], undefined, 'nothing uploaded');
    assert.match(mounted.stderr, /0 uploaded, 4 mounted/);
    assert.equal(await readBack(`${reg.host}/mounted/rt:m`), RUNTIME_IMAGE_DIGEST);
    const fallback = await push([`${reg.host}/fallback/rt:f`, '--from', 'nothing/here']);
    assert.equal(fallback.code, 0, fallback.stderr);
    assert.equal(fallback.counts['PUT upload'], 4);
    assert.match(fallback.stderr, /4 uploaded, 0 mounted/);
    assert.equal(await readBack(`${reg.host}/fallback/rt:f`), RUNTIME_IMAGE_DIGEST);
  });

  it('usage errors are exit 2 with the usage line', async () => {
    for (const argv of [
      [],
      ['a/b', 'c/d'],
      [`127.0.0.1:1/x@sha256:${'a'.repeat(64)}`],
      ['127.0.0.1:1/x', '--from'],
      ['x', '--chunk-size', '0'],
      ['Bad/Name'],
    ]) {
      const r = await push(argv);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /usage: startorder runtime-image push REGISTRY\/REPO\[:TAG\]/);
      assert.deepEqual(r.counts, {}, 'nothing sent');
    }
  });

  it('--insecure-registry HOST sends plain HTTP to that host; others get HTTPS', async () => {
    for (const [argv, scheme] of [
      [['reg.example:5000/x/rt', '--insecure-registry', 'reg.example:5000'], 'http:'],
      [['reg.example:5000/x/rt'], 'https:'],
    ] as const) {
      const urls: string[] = [];
      const refused = ((input: string | URL) => {
        urls.push(input.toString());
        return Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }));
      }) as typeof fetch;
      let stderr = '';
      const code = await pushCommand(argv, { stderr: (s) => void (stderr += s), ports: { fetch: refused, dockerConfig: nodeDockerConfig(dockerConfig()) } });
      assert.equal(code, 1, stderr);
      assert.match(stderr, /error\[registry-unreachable\]/);
      assert.equal(new URL(urls[0]!).protocol, scheme, urls[0]);
      assert.match(urls[0]!, /\/v2\/x\/rt\/blobs\/sha256:[0-9a-f]{64}$/);
    }
  });

  rit('an unreachable registry is registry-unreachable, exit 1, one line and a fix', async () => {
    const r = await push([`127.0.0.1:${await freePort()}/x/rt:t`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^startorder: error\[registry-unreachable\]: .*\n {2}fix: .*\n$/);
  });

  rit('bin/: node bin/startorder.js runtime-image push (after npm run build), stdout empty', async () => {
    assert.ok(existsSync(join(import.meta.dirname, '..', 'dist', 'cli', 'tools.js')), 'dist/ is built (npm run build)');
    const r = spawnSync(process.execPath, [BIN, 'runtime-image', 'push', `${reg.host}/bin/rt:b`], {
      encoding: 'utf8',
      env: { ...process.env, DOCKER_CONFIG: dockerConfig() },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.ok(r.stderr.includes(`--runtime-image ${reg.host}/bin/rt:b@${RUNTIME_IMAGE_DIGEST}`), r.stderr);
    assert.equal(await readBack(`${reg.host}/bin/rt:b`), RUNTIME_IMAGE_DIGEST);
    const u = spawnSync(process.execPath, [BIN, 'runtime-image', 'push'], { encoding: 'utf8' });
    assert.equal(u.status, 2, u.stderr);
  });
});

describe('runtime-image push, htpasswd basic auth', () => {
  let reg: Registry;
  before(async () => {
    if (!skip) reg = await startRegistry({ kind: 'htpasswd', users: { ci: 's3cret:x' } });
  });
  after(async () => reg?.stop());

  rit('pushes with the credentials of DOCKER_CONFIG/config.json', async () => {
    const dir = dockerConfig({ [reg.host]: { auth: Buffer.from('ci:s3cret:x').toString('base64') } });
    const r = await push([`${reg.host}/team/rt:v1`], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await readBack(`${reg.host}/team/rt:v1`, dir), RUNTIME_IMAGE_DIGEST);
  });

  rit('a wrong password, or none, is registry-unauthorized, exit 1, no stack trace', async () => {
    for (const dir of [dockerConfig({ [reg.host]: { username: 'ci', password: 'wrong' } }), dockerConfig()]) {
      const r = await push([`${reg.host}/team/rt:v1`], dir);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^startorder: error\[registry-unauthorized\]: .*\n {2}fix: .*\n$/);
      assert.equal(r.counts['POST upload'], undefined, 'refused at the first HEAD');
    }
  });
});

describe('runtime-image push, token auth', () => {
  let tokens: TokenServer;
  let reg: Registry;
  before(async () => {
    if (skip) return;
    tokens = await startTokenServer({ robot: 'pw' });
    reg = await startRegistry({ kind: 'token', realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, certFile: tokens.certFile });
  });
  after(async () => {
    await reg?.stop();
    await tokens?.stop();
  });

  rit('gets a pull,push token once and pushes; --from asks pull on the source too and mounts', async () => {
    const dir = dockerConfig({ [reg.host]: { username: 'robot', password: 'pw' } });
    const before = tokens.requests;
    const r = await push([`${reg.host}/robots/rt:v1`], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(tokens.requests - before, 1, 'one token for the whole push');
    console.log(`# push with a token: ${r.ms} ms (${JSON.stringify(r.counts)}), ${tokens.requests - before} token request`);
    assert.equal(await readBack(`${reg.host}/robots/rt:v1`, dir), RUNTIME_IMAGE_DIGEST);
    const m = await push([`${reg.host}/robots/copy:v1`, '--from', 'robots/rt'], dir);
    assert.equal(m.code, 0, m.stderr);
    assert.match(m.stderr, /4 mounted/);
  });

  rit('a wrong password is registry-unauthorized, exit 1', async () => {
    const r = await push([`${reg.host}/robots/rt:v2`], dockerConfig({ [reg.host]: { username: 'robot', password: 'nope' } }));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^startorder: error\[registry-unauthorized\]: .*\n {2}fix: .*\n$/);
  });
});
