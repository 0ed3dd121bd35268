// --write must not overwrite a file another program changed, nor bring back one it removed, after
// startorder read it: the check runs after every temporary file is written, just before the renames.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { WriteError } from '../src/cli/io.js';
import { writeAll } from '../src/cli/node-write.js';

const dir = () => mkdtempSync(join(tmpdir(), 'startorder-race-'));

test('write: a file changed since it was read is not overwritten, and no other file is written', async () => {
  const d = dir();
  writeFileSync(join(d, 'a.yaml'), 'a: 1\n');
  writeFileSync(join(d, 'b.yaml'), 'b: edited by someone else\n');
  await assert.rejects(
    writeAll([
      { file: join(d, 'a.yaml'), text: 'a: 2\n', was: 'a: 1\n' },
      { file: join(d, 'b.yaml'), text: 'b: 2\n', was: 'b: 1\n' },
    ]),
    (e: unknown) => e instanceof WriteError && e.file === join(d, 'b.yaml') && /changed after startorder read it/.test(e.reason),
  );
  assert.equal(readFileSync(join(d, 'a.yaml'), 'utf8'), 'a: 1\n');
  assert.equal(readFileSync(join(d, 'b.yaml'), 'utf8'), 'b: edited by someone else\n');
  assert.deepEqual(readdirSync(d).sort(), ['a.yaml', 'b.yaml'], 'no temporary file left');
});

test('write: a file removed since it was read is not brought back', async () => {
  const d = dir();
  writeFileSync(join(d, 'a.yaml'), 'a: 1\n');
  rmSync(join(d, 'a.yaml'));
  await assert.rejects(writeAll([{ file: join(d, 'a.yaml'), text: 'a: 2\n', was: 'a: 1\n' }]), /removed after startorder read it/);
  assert.equal(existsSync(join(d, 'a.yaml')), false);
  assert.deepEqual(readdirSync(d), []);
});

test('write: unchanged files are written (and a new file without `was`, the lock file)', async () => {
  const d = dir();
  writeFileSync(join(d, 'a.yaml'), 'a: 1\n');
  await writeAll([
    { file: join(d, 'a.yaml'), text: 'a: 2\n', was: 'a: 1\n' },
    { file: join(d, 'startorder.lock'), text: 'lock\n' },
  ]);
  assert.equal(readFileSync(join(d, 'a.yaml'), 'utf8'), 'a: 2\n');
  assert.equal(readFileSync(join(d, 'startorder.lock'), 'utf8'), 'lock\n');
});
