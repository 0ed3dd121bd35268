/**
 * Test helper: a token server for the registry's `auth: token:` mode. It signs RS256 JWTs with a
 * self-signed certificate (made by openssl in a temp dir) that the registry trusts as its
 * rootcertbundle, and grants what is asked to a known user; anonymous callers get `pull` on
 * repositories under `public/`.
 */
import { spawnSync } from 'node:child_process';
import { createSign, randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { tempDir } from './registry.js';

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  certFile: string;
  /** Requests served, for asserting that nothing was asked. */
  requests: number;
  stop(): Promise<void>;
}

export async function startTokenServer(users: Record<string, string>): Promise<TokenServer> {
  const dir = tempDir('token');
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  const r = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=startorder-test-token'],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
  const key = readFileSync(keyFile, 'utf8');
  const x5c = new X509Certificate(readFileSync(certFile)).raw.toString('base64');
  const service = 'startorder-test-registry';
  const issuer = 'startorder-test-issuer';

  const sign = (sub: string, access: { type: string; name: string; actions: string[] }[]): string => {
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [x5c] }));
    const claims = b64url(JSON.stringify({ iss: issuer, sub, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access }));
    const s = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(key);
    return `${header}.${claims}.${b64url(s)}`;
  };

  const state = { requests: 0 };
  const server = createServer((req, res) => {
    state.requests++;
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/token') return void res.writeHead(404).end();
    let user = '';
    const auth = req.headers.authorization;
    if (auth) {
      const [u, ...p] = Buffer.from(auth.replace(/^Basic /i, ''), 'base64')
        .toString()
        .split(':');
      if (!u || users[u] === undefined || users[u] !== p.join(':')) {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="token"' });
        return void res.end('{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}');
      }
      user = u;
    }
    const access = url.searchParams.getAll('scope').flatMap((scope) => {
      const [type, name, actions] = scope.split(':');
      if (type !== 'repository' || !name || !actions) return [];
      const granted = user ? actions.split(',') : name.startsWith('public/') ? actions.split(',').filter((a) => a === 'pull') : [];
      return granted.length > 0 ? [{ type, name, actions: granted }] : [];
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token: sign(user, access), expires_in: 300 }));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certFile,
    get requests() {
      return state.requests;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
