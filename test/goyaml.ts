/**
 * The Go reader the apiserver and kubectl use (sigs.k8s.io/yaml), built once from the Go module
 * proxy into ~/.cache/startorder/goyaml-<version>/ and run over documents the tests produced.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION = 'v1.6.0';
const SRC = fileURLToPath(new URL('./goyaml/', import.meta.url));
const BIN = join(homedir(), '.cache', 'startorder', `goyaml-${VERSION}`, 'goyaml');

function binary(): string {
  if (!existsSync(BIN)) {
    mkdirSync(join(BIN, '..'), { recursive: true });
    execFileSync('go', ['build', '-o', BIN, '.'], { cwd: SRC, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return BIN;
}

/** Each text (one YAML document) as sigs.k8s.io/yaml reads it. */
export async function goRead(texts: readonly string[]): Promise<unknown[]> {
  const docs = texts;
  const r = spawnSync(binary(), [], { input: JSON.stringify(docs), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`goyaml failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { json?: unknown; error?: string }[]).map((x) => {
    if (x.error) throw new Error(`sigs.k8s.io/yaml cannot read a document: ${x.error}`);
    return x.json;
  });
}
