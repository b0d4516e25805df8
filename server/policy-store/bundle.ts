/**
 * Signed bundles polled from a URL: `GET` with `If-None-Match`, a 304 keeps the working policy, a
 * 200 is size-checked, unpacked, verified, compiled and swapped. A bad signature or a broken
 * policy is recorded on the store and never replaces the working policy. Two instances polling
 * one URL converge, because the revision is the content hash of what the bundle holds.
 */
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { importSPKI } from 'jose';
import { ConfigError, type BundleConfig } from '../config.js';
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
    this.key = bundleVerifyKey(cfg);
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
    // A fetch in progress would hold shutdown until its timeout.
    this.inFlight?.abort();
  }

  /** Aborts the fetch in progress (see `stop`). */
  private inFlight: AbortController | undefined;

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
      const inFlight = this.inFlight = new AbortController();
      const res = await fetch(this.cfg.url, { headers, signal: AbortSignal.any([inFlight.signal, AbortSignal.timeout(30_000)]) });
      if (res.status === 304) { await res.body?.cancel(); return 'not_modified'; }
      if (res.status !== 200) {
        await res.body?.cancel();
        this.store.recordFailure('bundle', 'bundle_fetch_error', `bundle server answered ${res.status} for ${this.cfg.url}`);
        return 'failed';
      }
      etag = res.headers.get('etag');
      body = await readLimited(res, this.cfg.max_bytes);
    } catch (e) {
      if (this.stopped) return 'failed';
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

/** The configuration key that holds the bundle's public key. */
function keyName(cfg: BundleConfig): string {
  return cfg.public_key_file !== undefined ? 'bundle.public_key_file' : 'bundle.public_key';
}

/**
 * The bundle verification key, read and parsed now: a `public_key_file` that cannot be read or a
 * public key that cannot be parsed is a `ConfigError` naming the key, at start-up rather than at
 * the first poll.
 */
export function bundleVerifyKey(cfg: BundleConfig): VerifyKey {
  if (cfg.secret !== undefined) return { algorithm: cfg.algorithm, secret: cfg.secret };
  let pem = cfg.public_key;
  if (cfg.public_key_file !== undefined) {
    try {
      pem = readFileSync(cfg.public_key_file, 'utf8');
    } catch (e) {
      throw new ConfigError(`bundle.public_key_file: cannot read ${cfg.public_key_file}: ${(e as Error).message}`);
    }
  }
  try {
    createPublicKey(pem ?? '');
  } catch (e) {
    throw new ConfigError(`${keyName(cfg)}: not a PEM public key (\`-----BEGIN PUBLIC KEY-----\`): ${(e as Error).message}`);
  }
  return { algorithm: cfg.algorithm, publicKeyPem: pem! };
}

/**
 * Checks, before start-up goes on, that the configured key can verify `algorithm` signatures
 * (an RSA key for `ES256` is refused here, not at every poll). Throws `ConfigError` naming the key.
 */
export async function checkBundleKey(cfg: BundleConfig): Promise<void> {
  const key = bundleVerifyKey(cfg);
  if (key.publicKeyPem === undefined) return;
  try {
    await importSPKI(key.publicKeyPem, cfg.algorithm);
  } catch (e) {
    throw new ConfigError(`${keyName(cfg)}: cannot be used to verify \`${cfg.algorithm}\` signatures: ${(e as Error).message}`);
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
