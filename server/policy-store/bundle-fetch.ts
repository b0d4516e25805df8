/**
 * One bundle download. Redirects are followed here, not by `fetch`: `fetch` drops only
 * `Authorization` when a redirect leaves the origin, and the configured headers may hold any
 * credential (`X-Bundle-Key`), so they are sent only while the URL's origin (scheme, host and
 * port) is the configured one. Failures name the URL that failed and the underlying cause.
 */

/** What a download found: the server's copy is unchanged, or a new body (with its validators). */
export type FetchResult =
  | { status: 'not_modified' }
  | { status: 'ok'; body: Buffer; etag?: string; lastModified?: string };

export interface FetchRequest {
  url: string;
  /** Sent only to the origin of `url`. */
  headers: Record<string, string>;
  /** `If-None-Match` / `If-Modified-Since`: not credentials, so sent to every hop. */
  conditional: Record<string, string>;
  maxBytes: number;
  /** The whole download, redirects and body included, must finish within this time. */
  timeoutMs: number;
  /** Aborts the download (shutdown). */
  signal: AbortSignal;
}

export class BundleFetchError extends Error {
  constructor(message: string) { super(message); this.name = 'BundleFetchError'; }
}

/** Redirects followed before giving up (a CDN to a storage bucket takes one or two). */
export const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export async function fetchBundle(req: FetchRequest): Promise<FetchResult> {
  const configured = new URL(req.url);
  const signal = AbortSignal.any([req.signal, AbortSignal.timeout(req.timeoutMs)]);
  let url = configured;
  for (let redirects = 0; ; redirects++) {
    const where = shownUrl(url, configured);
    const headers = url.origin === configured.origin ? { ...req.headers, ...req.conditional } : { ...req.conditional };
    let res: Response;
    try {
      res = await fetch(url, { headers, redirect: 'manual', signal });
    } catch (e) {
      throw new BundleFetchError(`cannot fetch bundle from ${where}: ${describeFailure(e, req.timeoutMs)}`);
    }
    if (REDIRECT_STATUSES.has(res.status)) {
      await res.body?.cancel();
      url = redirectTarget(res, url, where, redirects);
      continue;
    }
    if (res.status === 304) { await res.body?.cancel(); return { status: 'not_modified' }; }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new BundleFetchError(`bundle server answered ${res.status} for ${where}`);
    }
    let body: Buffer;
    try {
      body = await readLimited(res, req.maxBytes, where);
    } catch (e) {
      if (e instanceof BundleFetchError) throw e;
      throw new BundleFetchError(`cannot fetch bundle from ${where}: ${describeFailure(e, req.timeoutMs)}`);
    }
    const etag = res.headers.get('etag') ?? undefined;
    const lastModified = res.headers.get('last-modified') ?? undefined;
    return { status: 'ok', body, ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
  }
}

/** The URL a redirect leads to: http or https only, at most `MAX_REDIRECTS` of them. */
function redirectTarget(res: Response, from: URL, where: string, redirects: number): URL {
  const location = res.headers.get('location');
  if (!location) throw new BundleFetchError(`bundle server answered ${res.status} without a Location header for ${where}`);
  if (redirects >= MAX_REDIRECTS) throw new BundleFetchError(`more than ${MAX_REDIRECTS} redirects fetching the bundle; the last from ${where}`);
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new BundleFetchError(`bundle server redirected ${where} to an invalid URL`);
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new BundleFetchError(`bundle server redirected ${where} to a \`${next.protocol}\` URL; only http and https are followed`);
  }
  return next;
}

/**
 * A URL for messages, which reach the log and `/ready`: the query is left out, as a redirect to
 * a storage bucket usually carries a signature there (and so are credentials).
 */
export function urlForMessages(u: URL): string {
  return `${u.origin}${u.pathname}${u.search ? '?…' : ''}`;
}

function shownUrl(url: URL, configured: URL): string {
  return url.href === configured.href ? urlForMessages(url) : `${urlForMessages(url)} (redirected from ${urlForMessages(configured)})`;
}

/** Why a request failed: `fetch` itself says only "fetch failed" and keeps the reason in `cause`. */
function describeFailure(e: unknown, timeoutMs: number): string {
  const err = e as (Error & { cause?: unknown }) | undefined;
  if (err?.name === 'TimeoutError') return `no complete answer within ${timeoutMs} ms (timed out)`;
  const cause = err?.cause as (Error & { code?: string; errors?: Error[] }) | undefined;
  if (!cause) return err?.message ?? String(e);
  // A connection tried over IPv4 and IPv6 fails with an AggregateError whose own message is empty.
  const message = cause.message || (cause.errors ?? []).map(c => c.message).join('; ');
  if (!message) return cause.code ?? err!.message;
  return cause.code && !message.includes(cause.code) ? `${message} (${cause.code})` : message;
}

/** The body, refused as soon as it passes `max` bytes (counted after any `Content-Encoding` is undone). */
async function readLimited(res: Response, max: number, where: string): Promise<Buffer> {
  const tooLarge = (): BundleFetchError => new BundleFetchError(`bundle from ${where} is larger than ${max} bytes (bundle.max_bytes)`);
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > max) { await res.body?.cancel(); throw tooLarge(); }
  const chunks: Buffer[] = [];
  let total = 0;
  if (!res.body) return Buffer.alloc(0);
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > max) throw tooLarge();
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
