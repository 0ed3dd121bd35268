#!/usr/bin/env node
// The size rules of src/ (issue 10): a function of about 60 lines at most, a file of 250 at most
// unless a comment in its first five lines says why (`size: …`). Lists what breaks them, exit 1.
// The Go side is runtime/internal/tools/funclen. Usage: node scripts/sizes.mjs [DIR...]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const FUNC_MAX = 60;
const FILE_MAX = 250;

function* files(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory() && e.name !== 'generated') yield* files(p);
    else if (e.isFile() && p.endsWith('.ts') && !p.endsWith('.d.ts')) yield p;
  }
}

const isFunction = (n) =>
  ts.isFunctionDeclaration(n) ||
  ts.isMethodDeclaration(n) ||
  ts.isArrowFunction(n) ||
  ts.isFunctionExpression(n) ||
  ts.isConstructorDeclaration(n) ||
  ts.isAccessor(n);

function nameOf(n) {
  if (n.name) return n.name.getText();
  if (n.parent && (ts.isVariableDeclaration(n.parent) || ts.isPropertyAssignment(n.parent))) return n.parent.name.getText();
  return '<anonymous>';
}

function problems(file) {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const line = (pos) => sf.getLineAndCharacterOfPosition(pos).line + 1;
  const out = [];
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (lines > FILE_MAX && !/size:/.test(text.split('\n').slice(0, 5).join('\n')))
    out.push(`${file}: ${lines} lines (over ${FILE_MAX} without a "size:" reason at its top)`);
  const visit = (n) => {
    if (isFunction(n)) {
      const length = line(n.getEnd()) - line(n.getStart()) + 1;
      if (length > FUNC_MAX) out.push(`${file}:${line(n.getStart())}: ${nameOf(n)} is ${length} lines (over ${FUNC_MAX})`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

const roots = process.argv.length > 2 ? process.argv.slice(2) : ['src'];
const found = roots.flatMap((r) => [...files(r)]).flatMap(problems);
for (const p of found) console.log(p);
process.exit(found.length > 0 ? 1 : 0);
