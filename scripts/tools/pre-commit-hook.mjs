#!/usr/bin/env node
// Entry of the pre-commit hooks in .pre-commit-hooks.yaml (`language: script`: pre-commit runs this
// file from its clone of the startorder repo, with the machine's Node — nothing is installed at hook
// time). Usage: pre-commit-hook.mjs check|fix [startorder flags] [files...]
//
// - Files that hold only StartOrder documents are specs: they are given to startorder as `-c FILE`
//   (so `check` does not call them out of date and `fix` never empties them); a file already given
//   with `args: [-c, FILE]` is not read twice.
// - The CLI: $STARTORDER (a command line) if set, else this checkout's bin/startorder.js. pre-commit's
//   clone has no dist/: it is built on first use, with `npm ci --prefer-offline` (npm's cache first,
//   the registry for what it lacks) when node_modules is missing too. Without either, install startorder
//   (`npm install -g startorder`) and set STARTORDER=startorder, or use the `language: system` hooks.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [mode, ...rest] = process.argv.slice(2);
if (mode !== 'check' && mode !== 'fix') {
  process.stderr.write('usage: pre-commit-hook.mjs check|fix [startorder flags] [files...]\n');
  process.exit(2);
}

// Split pre-commit's `args` (flags, and the values of -c/--config) from the file names it appends.
const flags = [];
const configs = new Map(); // resolved path -> the path as given
const files = [];
for (let i = 0; i < rest.length; i++) {
  const a = rest[i];
  if (a === '-c' || a === '--config') {
    const c = rest[++i];
    configs.set(resolve(c), c);
  } else if (a.startsWith('--config=')) configs.set(resolve(a.slice('--config='.length)), a.slice('--config='.length));
  else if (a.startsWith('-')) {
    flags.push(a);
    if (['--mode', '--kubernetes-version', '--runtime-image', '-o', '--output', '--error-format'].includes(a)) flags.push(rest[++i]);
  } else files.push(a);
}

/** Only StartOrder documents (YAML or JSON), and at least one. */
function specOnly(file) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  if (/^\s*[{[]/.test(text)) {
    try {
      const v = JSON.parse(text);
      return v?.kind === 'StartOrder';
    } catch {
      return false;
    }
  }
  const docs = text
    .split(/^---[ \t]*(?:#.*)?$/m)
    .map((d) => d.replace(/^\s*#.*$/gm, '').trim())
    .filter(Boolean);
  return docs.length > 0 && docs.every((d) => /^kind:[ \t]*["']?StartOrder["']?[ \t]*(#.*)?$/m.test(d));
}

const inputs = [];
for (const f of files) {
  if (configs.has(resolve(f))) continue;
  if (specOnly(f)) configs.set(resolve(f), f);
  else inputs.push(f);
}
if (inputs.length === 0) process.exit(0);

function cli() {
  if (process.env.STARTORDER) return process.env.STARTORDER.split(/\s+/).filter(Boolean);
  if (!existsSync(join(root, 'dist', 'bundle', 'cli.js'))) {
    const step = (args) => {
      process.stderr.write(`startorder (pre-commit): ${args.join(' ')} in ${root}\n`);
      const r = spawnSync('npm', args, { cwd: root, stdio: ['ignore', 2, 2] });
      if (r.status !== 0) {
        process.stderr.write(
          `startorder (pre-commit): \`npm ${args.join(' ')}\` failed; install startorder (npm install -g startorder) and set STARTORDER=startorder, or use the startorder-*-system hooks.\n`,
        );
        process.exit(3);
      }
    };
    if (!existsSync(join(root, 'node_modules'))) step(['ci', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund']);
    step(['run', '--silent', 'build']);
  }
  return [process.execPath, join(root, 'bin', 'startorder.js')];
}

const [cmd, ...pre] = cli();
const args = [...pre, ...(mode === 'check' ? ['check'] : ['--write']), ...[...configs.values()].flatMap((c) => ['-c', c]), ...flags, ...inputs];
const r = spawnSync(cmd, args, { stdio: 'inherit' });
process.exit(r.status ?? 3);
