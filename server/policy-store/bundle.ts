/**
 * Signed bundles polled from a URL: `GET` with `If-None-Match` / `If-Modified-Since`; a 304 keeps
 * the working policy, a 200 is size-checked, unpacked, verified, compiled and swapped. A bad
 * signature or a broken policy is recorded on the store and never replaces the working policy.
 * Two instances polling one URL converge, because the revision is the content hash of what the
 * bundle holds. The bytes of the last bundle loaded and rejected are remembered by digest, so a
 * server without validators does not cause a reload (or a repeated report) every poll.
 */
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { importSPKI } from 'jose';
import { ConfigError, type BundleConfig } from '../config.js';
import { PolicyLoadError, StoreClosed, type Generation, type LoadError, type PolicyStore } from './store.js';
import { sourcesFromFilesSteps } from './sources.js';
import { parseYamlFilesInBackground } from './yaml-data.js';
import { readTarInBackground } from './tar.js';
import { SIGNATURES_FILE, verifyBundle, type VerifyKey } from './signing.js';
import { fileDigestsSteps, fileTextsSteps, sha256Steps } from './bundle-files.js';
import { fetchBundle, type FetchResult } from './bundle-fetch.js';

export type PollOutcome = 'updated' | 'not_modified' | 'failed';

/** Files that describe the bundle rather than hold policy or data. */
const MANIFEST = '.manifest';
const NOT_TEXT: ReadonlySet<string> = new Set([SIGNATURES_FILE, MANIFEST]);

/** Longest one poll may take, redirects and body included: a server that never answers is given up on. */
export const BUNDLE_FETCH_TIMEOUT_MS = 30_000;

/** A bundle seen before: the digest of its bytes and the validators the server gave with it. */
interface SeenBundle {
  digest: string;
  etag?: string;
  lastModified?: string;
}

interface RejectedBundle extends SeenBundle {
  error: LoadError;
  /** The generation it was rejected against: an API write since may make it load. */
  against: Generation | undefined;
}

export interface PollerOptions {
  /** Longest one poll may take (ms); default `BUNDLE_FETCH_TIMEOUT_MS`. */
  fetchTimeoutMs?: number;
}

export class BundlePoller {
  /** The bundle currently loaded (the store's base). */
  private loaded: SeenBundle | undefined;
  /** The last bundle rejected since then. */
  private rejected: RejectedBundle | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly key: VerifyKey;
  private readonly fetchTimeoutMs: number;
  lastOutcome: PollOutcome | undefined;

  constructor(private readonly store: PolicyStore, private readonly cfg: BundleConfig, opts: PollerOptions = {}) {
    this.key = bundleVerifyKey(cfg);
    this.fetchTimeoutMs = opts.fetchTimeoutMs ?? BUNDLE_FETCH_TIMEOUT_MS;
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
    // Ask about the rejected bundle while it is still the server's latest, so it is not downloaded
    // again each poll; once it would be judged afresh, ask about the loaded one.
    const rejected = this.rejected?.against === this.store.generation ? this.rejected : undefined;
    const basis = rejected ?? this.loaded;
    let result: FetchResult;
    try {
      const inFlight = this.inFlight = new AbortController();
      result = await fetchBundle({
        url: this.cfg.url,
        headers: this.cfg.headers,
        conditional: conditionalHeaders(basis),
        maxBytes: this.cfg.max_bytes,
        timeoutMs: this.fetchTimeoutMs,
        signal: inFlight.signal,
      });
    } catch (e) {
      if (this.stopped) return 'failed';
      this.store.recordFailure('bundle', 'bundle_fetch_error', (e as Error).message);
      return 'failed';
    }
    if (result.status === 'not_modified') {
      if (rejected) this.store.reinstateFailure(rejected.error);
      else if (this.loaded) this.upToDate(this.loaded);
      return 'not_modified';
    }
    // The validators as the fetch gave them (present only when the server sent them).
    const { status: _ok, body, ...validators } = result;
    let digest: string;
    try {
      digest = await this.store.prepareInBackground(sha256Steps(body));
    } catch (e) {
      if (e instanceof StoreClosed) return 'failed';
      throw e;
    }
    const seen: SeenBundle = { digest, ...validators };
    if (seen.digest === this.loaded?.digest) { this.upToDate(seen); return 'not_modified'; }
    if (seen.digest === rejected?.digest) {
      this.rejected = { ...seen, error: rejected.error, against: rejected.against };
      this.store.reinstateFailure(rejected.error);
      return 'not_modified';
    }
    try {
      await this.load(body);
    } catch (e) {
      // Shutting down while the bundle compiled: nothing went wrong with the bundle.
      if (e instanceof StoreClosed) return 'failed';
      const error = e instanceof PolicyLoadError
        ? e.detail
        : this.store.recordFailure('bundle', e instanceof Error && e.name === 'SignatureError' ? 'bundle_signature_error' : 'bundle_error', (e as Error).message);
      this.rejected = { ...seen, error, against: this.store.generation };
      return 'failed';
    }
    this.loaded = seen;
    this.rejected = undefined;
    return 'updated';
  }

  /** The server serves the loaded bundle: the source is healthy and up to date, so an earlier error is over. */
  private upToDate(loaded: SeenBundle): void {
    this.loaded = loaded;
    this.rejected = undefined;
    this.store.clearFailure('bundle');
  }

  /** Unpacks, verifies, compiles and swaps in a bundle; throws, keeping the working policy, when it is refused. */
  private async load(body: Buffer): Promise<void> {
    const files = await readTarInBackground(body, this.cfg.max_bytes);
    // Files hashed and decoded a megabyte at a time, data parsed off this thread (YAML) or a
    // piece at a time (JSON), the policy compiled in slices: requests go on meanwhile.
    const { revision } = await verifyBundle(files, this.key, await this.store.prepareInBackground(fileDigestsSteps(files)));
    const text = await this.store.prepareInBackground(fileTextsSteps(files, NOT_TEXT));
    const yamlKeys = new Map<object, string[]>();
    const yaml = await parseYamlFilesInBackground(text, yamlKeys);
    const sources = await this.store.prepareInBackground(sourcesFromFilesSteps(text, yaml, yamlKeys));
    await this.store.loadBaseInBackground(sources, 'bundle', revision ?? manifestRevision(files));
  }
}

function conditionalHeaders(basis: SeenBundle | undefined): Record<string, string> {
  const h: Record<string, string> = {};
  if (basis?.etag) h['if-none-match'] = basis.etag;
  if (basis?.lastModified) h['if-modified-since'] = basis.lastModified;
  return h;
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
