/**
 * A deterministic tar writer and reader for OCI image layouts: USTAR headers, every entry owned by
 * 0:0 with empty owner names, dated at the Unix epoch, files 0644 and directories 0755, in the order
 * given. The bytes are those Go's archive/tar writes for the same entries (runtime/cmd/mkimage), so
 * `startorder runtime-image save` and `mkimage -out` give the same tarball.
 */

export interface TarEntry {
  /** Slash-separated, relative; a directory's name ends with `/`. At most 100 bytes of ASCII. */
  name: string;
  /** A file's contents; absent for a directory. */
  data?: Uint8Array;
}

const BLOCK = 512;

/** Writes `value` as `width - 1` octal digits and a NUL, as Go does for every numeric field. */
function octal(header: Uint8Array, offset: number, width: number, value: number): void {
  const digits = value.toString(8).padStart(width - 1, '0');
  if (digits.length > width - 1) throw new RangeError(`tar: ${value} does not fit in ${width} bytes`);
  ascii(header, offset, digits);
}

function ascii(header: Uint8Array, offset: number, text: string): void {
  for (let i = 0; i < text.length; i++) header[offset + i] = text.charCodeAt(i);
}

function header(entry: TarEntry): Uint8Array {
  const dir = entry.name.endsWith('/');
  if (!/^[\x21-\x7e]{1,100}$/.test(entry.name) || entry.name.startsWith('/') || entry.name.split('/').includes('..')) {
    throw new RangeError(`tar: ${JSON.stringify(entry.name)} is not a short relative ASCII name`);
  }
  if (dir !== (entry.data === undefined)) throw new RangeError(`tar: ${entry.name}: a directory has no data, a file has`);
  const h = new Uint8Array(BLOCK);
  ascii(h, 0, entry.name);
  octal(h, 100, 8, dir ? 0o755 : 0o644);
  octal(h, 108, 8, 0); // uid
  octal(h, 116, 8, 0); // gid
  octal(h, 124, 12, entry.data?.length ?? 0);
  octal(h, 136, 12, 0); // mtime: the epoch
  ascii(h, 148, '        '); // the checksum counts its own field as spaces
  h[156] = (dir ? '5' : '0').charCodeAt(0);
  ascii(h, 257, 'ustar\u000000');
  octal(h, 329, 8, 0); // devmajor
  octal(h, 337, 8, 0); // devminor
  const sum = h.reduce((a, b) => a + b, 0);
  ascii(h, 148, sum.toString(8).padStart(6, '0'));
  h[154] = 0;
  h[155] = 0x20;
  return h;
}

/** The tarball of `entries`, ended by two zero blocks (no padding to a record). */
export function tar(entries: readonly TarEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    parts.push(header(e));
    if (e.data?.length) {
      parts.push(e.data);
      const pad = (BLOCK - (e.data.length % BLOCK)) % BLOCK;
      if (pad) parts.push(new Uint8Array(pad));
    }
  }
  parts.push(new Uint8Array(2 * BLOCK));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function field(block: Uint8Array, offset: number, width: number): string {
  const bytes = block.subarray(offset, offset + width);
  const end = bytes.indexOf(0);
  return String.fromCharCode(...(end < 0 ? bytes : bytes.subarray(0, end)));
}

/**
 * Reads a tarball's regular files and directories (USTAR, with the prefix field; other entry types
 * and PAX/GNU extension headers are refused). Checks each header's checksum.
 */
export function untar(data: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  for (let at = 0; at + BLOCK <= data.length;) {
    const h = data.subarray(at, at + BLOCK);
    if (h.every((b) => b === 0)) break;
    const sum = h.reduce((a, b, i) => a + (i >= 148 && i < 156 ? 0x20 : b), 0);
    if (parseInt(field(h, 148, 8).trim(), 8) !== sum) throw new RangeError(`untar: bad header checksum at byte ${at}`);
    const prefix = field(h, 345, 155);
    const name = (prefix ? `${prefix}/` : '') + field(h, 0, 100);
    const size = parseInt(field(h, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(h[156] ?? 0);
    at += BLOCK;
    if (type === '5') entries.push({ name: name.endsWith('/') ? name : `${name}/` });
    else if (type === '0' || type === '\0') entries.push({ name, data: data.slice(at, at + size) });
    else throw new RangeError(`untar: ${name}: entry type ${JSON.stringify(type)} is not a file or a directory`);
    at += Math.ceil(size / BLOCK) * BLOCK;
  }
  return entries;
}
