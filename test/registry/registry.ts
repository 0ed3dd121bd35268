/**
 * Test helpers: a real registry (the CNCF distribution registry) on 127.0.0.1, started per test file
 * with a temp-dir storage, and stopped by its PID. The registry and the htpasswd tool are Debian's
 * (`docker-registry`, `apache2-utils`) when installed, else built from the Go module proxy by
 * scripts/tools/build-tools.sh on first use (cached in ~/.cache/startorder/tools-registry-<version>/
 * and tools-htpasswd-<hash>/), the way the integration suites get kustomize: no apt step needed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cannotBuild, toolPath } from '../integrations/tools.js';

/** Debian's binaries; the environment overrides them (a path that does not exist hides them). */
export const DEBIAN_REGISTRY = process.env.STARTORDER_REGISTRY_BIN ?? '/usr/bin/docker-registry';
export const DEBIAN_HTPASSWD = process.env.STARTORDER_HTPASSWD_BIN ?? '/usr/bin/htpasswd';
const OPENSSL = '/usr/bin/openssl';

/** On CI (CI=true, or STARTORDER_CI set by .ci/run) nothing may be skipped: a missing tool fails. */
export const onCI = (): boolean => process.env.CI === 'true' || Boolean(process.env.STARTORDER_CI);

/** Why the registry tests cannot run here (then each of them skips, counted), or undefined when they can. */
export function registrySkip(): string | undefined {
  return onCI() ? undefined : missingTools();
}

export function missingTools(): string | undefined {
  if (!existsSync(OPENSSL)) return `needs ${OPENSSL} for the token server's certificate (apt-get install openssl)`;
  if (existsSync(DEBIAN_REGISTRY) && existsSync(DEBIAN_HTPASSWD)) return undefined;
  const why = cannotBuild('registry');
  return why ? `needs ${DEBIAN_REGISTRY} and ${DEBIAN_HTPASSWD} (apt-get install docker-registry apache2-utils), or else Go: ${why}` : undefined;
}

let bins: { registry: string; htpasswd: string[] } | undefined;
/** The registry binary and the htpasswd command line (before USER PASSWORD) that prints one bcrypt line. */
export function registryTools(): { registry: string; htpasswd: string[] } {
  if (!bins) {
    const debian = existsSync(DEBIAN_REGISTRY) && existsSync(DEBIAN_HTPASSWD);
    bins = debian ? { registry: DEBIAN_REGISTRY, htpasswd: [DEBIAN_HTPASSWD, '-nbB'] } : { registry: toolPath('registry'), htpasswd: [toolPath('htpasswd')] };
  }
  return bins;
}

function writeHtpasswd(file: string, users: Record<string, string>): void {
  const [cmd, ...args] = registryTools().htpasswd;
  writeFileSync(file, '');
  for (const [user, pass] of Object.entries(users)) {
    const r = spawnSync(cmd!, [...args, user, pass], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
    appendFileSync(file, `${r.stdout.trim()}\n`);
  }
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((ok) => srv.close(() => ok()));
  return port;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `startorder-${prefix}-`));
}

export type RegistryAuth =
  { kind: 'none' } | { kind: 'htpasswd'; users: Record<string, string> } | { kind: 'token'; realm: string; service: string; issuer: string; certFile: string };

export interface Registry {
  host: string;
  port: number;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startRegistry(auth: RegistryAuth = { kind: 'none' }): Promise<Registry> {
  const dir = tempDir('registry');
  const port = await freePort();
  let authYaml = '';
  if (auth.kind === 'htpasswd') {
    const file = join(dir, 'htpasswd');
    writeHtpasswd(file, auth.users);
    authYaml = `auth:\n  htpasswd:\n    realm: startorder-test\n    path: ${file}\n`;
  } else if (auth.kind === 'token') {
    authYaml = `auth:\n  token:\n    realm: ${auth.realm}\n    service: ${auth.service}\n    issuer: ${auth.issuer}\n    rootcertbundle: ${auth.certFile}\n`;
  }
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${authYaml}`,
  );
  const proc: ChildProcess = spawn(registryTools().registry, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (c: Buffer) => void (stderr += c.toString()));
  const exited = new Promise<void>((ok) => proc.once('exit', () => ok()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`the registry exited (${proc.exitCode}): ${stderr}`);
    const ok = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.status === 200 || r.status === 401,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`the registry did not come up on ${url}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host: `127.0.0.1:${port}`,
    port,
    url,
    pid: proc.pid!,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        process.kill(proc.pid!, 'SIGTERM');
        const t = setTimeout(() => proc.exitCode === null && process.kill(proc.pid!, 'SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A TCP server that accepts connections and never answers: a registry that hangs. */
export async function startSilentServer(): Promise<{ host: string; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const srv: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  const port = (srv.address() as { port: number }).port;
  return {
    host: `127.0.0.1:${port}`,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((ok) => srv.close(() => ok()));
    },
  };
}
