/**
 * The certificate and key files, read again every few seconds: a Secret volume updates by swapping
 * its `..data` symlink, so the content is compared (not the mtime of the path, which is the link's).
 * A changed pair is handed to the server for new connections; a pair that does not load (half
 * written, key and certificate that do not match) is logged and the previous one kept.
 */
import { readFile } from 'node:fs/promises';

export interface TlsPair {
  cert: Buffer;
  key: Buffer;
}

export async function readPair(certFile: string, keyFile: string): Promise<TlsPair> {
  const [cert, key] = await Promise.all([readFile(certFile), readFile(keyFile)]);
  return { cert, key };
}

export interface Reloader {
  /** Reads the files now; true when they changed and were applied. */
  check(): Promise<boolean>;
  stop(): void;
}

export function watchPair(
  files: { certFile: string; keyFile: string },
  current: TlsPair,
  apply: (p: TlsPair) => void,
  log: (line: string) => void,
  intervalMs = 5000,
): Reloader {
  let last = current;
  let busy = false;
  const check = async (): Promise<boolean> => {
    if (busy) return false;
    busy = true;
    try {
      const next = await readPair(files.certFile, files.keyFile);
      if (next.cert.equals(last.cert) && next.key.equals(last.key)) return false;
      apply(next);
      last = next;
      log(JSON.stringify({ tls: 'reloaded', certFile: files.certFile }));
      return true;
    } catch (e) {
      log(JSON.stringify({ tls: 'reload-failed', error: (e as Error).message, keeping: 'the previous certificate' }));
      return false;
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void check(), intervalMs);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
