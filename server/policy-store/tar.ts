/**
 * A small reader and writer for gzip-compressed ustar archives, enough for policy bundles:
 * regular files only, paths checked (no absolute paths, no `..`), sizes bounded so a hostile
 * archive cannot exhaust memory (the gzip output is capped too). `readTar` also takes an archive
 * that is not compressed: an HTTP client inflates a bundle served with `Content-Encoding: gzip`.
 */
import { promisify } from 'node:util';
import { gunzip as gunzipCallback, gunzipSync, gzipSync } from 'node:zlib';

const gunzipOnPool = promisify(gunzipCallback);

const BLOCK = 512;

export class TarError extends Error {
  constructor(message: string) { super(message); this.name = 'TarError'; }
}

function field(buf: Buffer, off: number, len: number): string {
  const raw = buf.subarray(off, off + len);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul < 0 ? len : nul).toString('utf8');
}

function octal(buf: Buffer, off: number, len: number): number {
  const s = field(buf, off, len).trim();
  if (!/^[0-7]*$/.test(s)) throw new TarError('corrupt archive: bad size field');
  return s === '' ? 0 : parseInt(s, 8);
}

function safeName(name: string): string {
  const clean = name.replace(/^\.\//, '');
  if (clean.startsWith('/') || clean.split('/').some(s => s === '..') || /[\u0000\\]/.test(clean)) {
    throw new TarError(`archive entry \`${name}\` has an unsafe path`);
  }
  return clean;
}

/** Reads the regular files of a `.tar.gz`; `maxBytes` bounds the uncompressed size. */
export function readTarGz(data: Buffer, maxBytes: number): Map<string, Buffer> {
  return readFiles(gunzip(data, maxBytes));
}

/**
 * Reads the regular files of a tar archive, gzip-compressed or not: the bytes decide, not a
 * header, since a server's `Content-Encoding` may already have been undone. `maxBytes` bounds
 * the uncompressed size either way.
 */
export function readTar(data: Buffer, maxBytes: number): Map<string, Buffer> {
  if (isGzip(data)) return readTarGz(data, maxBytes);
  if (data.length > maxBytes) throw new TarError(`bundle is larger than ${maxBytes} bytes`);
  if (!looksLikeTar(data)) throw new TarError('bundle is neither gzip-compressed (no 1f 8b magic bytes) nor a tar archive');
  return readFiles(data);
}

/**
 * `readTar` with a compressed archive inflated on libuv's thread pool: a bundle poll does not hold
 * the serving thread while megabytes inflate (the archive's headers are read here, a few
 * microseconds a file).
 */
export async function readTarInBackground(data: Buffer, maxBytes: number): Promise<Map<string, Buffer>> {
  if (!isGzip(data)) return readTar(data, maxBytes);
  let tar: Buffer;
  try {
    tar = await gunzipOnPool(data, { maxOutputLength: maxBytes });
  } catch (e) {
    throw new TarError(`cannot decompress bundle: ${(e as Error).message}`);
  }
  return readFiles(tar);
}

function isGzip(data: Buffer): boolean {
  return data[0] === 0x1f && data[1] === 0x8b;
}

function gunzip(data: Buffer, maxBytes: number): Buffer {
  try {
    return gunzipSync(data, { maxOutputLength: maxBytes });
  } catch (e) {
    throw new TarError(`cannot decompress bundle: ${(e as Error).message}`);
  }
}

/** Whether `data` starts with a tar header (its checksum holds) or an end-of-archive block. */
function looksLikeTar(data: Buffer): boolean {
  if (data.length < BLOCK) return false;
  const header = data.subarray(0, BLOCK);
  if (header.every(b => b === 0)) return true;
  const stored = field(header, 148, 8).trim();
  if (!/^[0-7]+$/.test(stored)) return false;
  let sum = 0;
  // The checksum is computed with its own field read as spaces.
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return sum === parseInt(stored, 8);
}

function readFiles(tar: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let off = 0;
  let longName: string | undefined;
  while (off + BLOCK <= tar.length) {
    const header = tar.subarray(off, off + BLOCK);
    if (header.every(b => b === 0)) break;
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156]!);
    const prefix = field(header, 345, 155);
    let name = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    longName = undefined;
    const start = off + BLOCK;
    if (start + size > tar.length) throw new TarError('corrupt archive: truncated entry');
    const body = tar.subarray(start, start + size);
    off = start + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') { longName = body.toString('utf8').replace(/\0+$/, ''); continue; }
    if (type === 'x') {
      const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      if (m) longName = m[1];
      continue;
    }
    if (type !== '0' && type !== '\0') continue; // directories, links, global headers: not policy content
    name = safeName(name);
    if (files.has(name)) throw new TarError(`archive entry \`${name}\` appears twice`);
    files.set(name, Buffer.from(body));
  }
  return files;
}

function writeHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  if (Buffer.byteLength(name) > 100) throw new TarError(`name too long for this writer: ${name}`);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 8, 'ascii');
  h.write('0000000\0', 108, 8, 'ascii');
  h.write('0000000\0', 116, 8, 'ascii');
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 12, 'ascii');
  h.write('00000000000\0', 136, 12, 'ascii');
  h.write('        ', 148, 8, 'ascii');
  h.write('0', 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

/** Writes files (name → content) as a `.tar.gz`, in the given order. */
export function writeTarGz(files: Map<string, Buffer | string>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, content] of files) {
    const body = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    parts.push(writeHeader(name, body.length), body, Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK, 0));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return gzipSync(Buffer.concat(parts));
}
