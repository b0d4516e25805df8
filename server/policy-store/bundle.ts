/**
 * Signed bundles polled from a URL: `GET` with `If-None-Match`, a 304 keeps the working policy, a
 * 200 is size-checked, unpacked, verified, compiled and swapped. A bad signature or a broken
 * policy is recorded on the store and never replaces the working policy. Two instances polling
 * one URL converge, because the revision is the content hash of what the bundle holds.
 */
import { readFileSync } from 'node:fs';
import type { BundleConfig } from '../config.js';
import { PolicyLoadError, type PolicyStore } from './store.js';
import { sourcesFromFiles } from './sources.js';
import { readTarGz } from './tar.js';
import { SIGNATURES_FILE, verifyBundle, type VerifyKey } from './signing.js';

export type PollOutcome = 'updated' | 'not_modified' | 'failed';

/** Files that describe the bundle rather than hold policy or data. */
const MANIFEST = '.manifest';

export class BundlePoller {
  private etag: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly key: VerifyKey;
  lastOutcome: PollOutcome | undefined;

  constructor(private readonly store: PolicyStore, private readonly cfg: BundleConfig) {
    this.key = {
      algorithm: cfg.algorithm,
      ...(cfg.secret !== undefined ? { secret: cfg.secret } : {}),
      ...(cfg.public_key !== undefined ? { publicKeyPem: cfg.public_key } : {}),
      ...(cfg.public_key_file !== undefined ? { publicKeyPem: readFileSync(cfg.public_key_file, 'utf8') } : {}),
    };
  }

  /** Polls now, then every `poll_seconds` until `stop()`. */
  start(): Promise<PollOutcome> {
    this.stopped = false;
    const first = this.pollOnce();
    const loop = (): void => {
      if (this.stopped) return;
      this.timer = setTimeout(() => { void this.pollOnce().finally(loop); }, this.cfg.poll_seconds * 1000);
      this.timer.unref();
    };
    void first.finally(loop);
    return first;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  async pollOnce(): Promise<PollOutcome> {
    this.lastOutcome = await this.poll();
    return this.lastOutcome;
  }

  private async poll(): Promise<PollOutcome> {
    let body: Buffer;
    let etag: string | null;
    try {
      const headers: Record<string, string> = { ...this.cfg.headers };
      if (this.etag) headers['if-none-match'] = this.etag;
      const res = await fetch(this.cfg.url, { headers, signal: AbortSignal.timeout(30_000) });
      if (res.status === 304) { await res.body?.cancel(); return 'not_modified'; }
      if (res.status !== 200) {
        await res.body?.cancel();
        this.store.recordFailure('bundle', 'bundle_fetch_error', `bundle server answered ${res.status} for ${this.cfg.url}`);
        return 'failed';
      }
      etag = res.headers.get('etag');
      body = await readLimited(res, this.cfg.max_bytes);
    } catch (e) {
      this.store.recordFailure('bundle', 'bundle_fetch_error', `cannot fetch bundle from ${this.cfg.url}: ${(e as Error).message}`);
      return 'failed';
    }
    try {
      const files = readTarGz(body, this.cfg.max_bytes);
      const { revision } = await verifyBundle(files, this.key);
      const text = new Map<string, string>();
      for (const [name, content] of files) if (name !== SIGNATURES_FILE && name !== MANIFEST) text.set(name, content.toString('utf8'));
      this.store.loadBase(sourcesFromFiles(text), 'bundle', revision ?? manifestRevision(files));
    } catch (e) {
      if (!(e instanceof PolicyLoadError)) {
        this.store.recordFailure('bundle', e instanceof Error && e.name === 'SignatureError' ? 'bundle_signature_error' : 'bundle_error', (e as Error).message);
      }
      // Keep the old ETag so the same bad bundle is fetched and reported again after a fix upstream.
      return 'failed';
    }
    this.etag = etag ?? undefined;
    return 'updated';
  }
}

function manifestRevision(files: Map<string, Buffer>): string | undefined {
  const m = files.get(MANIFEST);
  if (!m) return undefined;
  try {
    const r = (JSON.parse(m.toString('utf8')) as { revision?: unknown }).revision;
    return typeof r === 'string' ? r : undefined;
  } catch {
    return undefined;
  }
}

async function readLimited(res: Response, max: number): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > max) { await res.body?.cancel(); throw new Error(`bundle is larger than ${max} bytes`); }
  const chunks: Buffer[] = [];
  let total = 0;
  if (!res.body) return Buffer.alloc(0);
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > max) throw new Error(`bundle is larger than ${max} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
