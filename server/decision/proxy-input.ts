/**
 * The input document for proxied requests (forward-auth and Envoy ext_authz), in the shape the
 * gateway uses (`input.request`): method, path, raw_path, query, headers, host, scheme, client_ip.
 *
 * Trust: identity headers configured for the response are removed from `headers` (a client could
 * have sent them), and so are hop-by-hop headers and the proxy's own `X-Original-*` /
 * `X-Forwarded-*` headers, which are consumed into the fields above.
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from '../errors.js';
import { defineKey } from '../../engine/value.js';
import type { OriginalRequestHeaders } from '../config.js';

export interface ProxiedRequest {
  method: string;
  /** Percent-decoded path with dot segments resolved: what the upstream will route on. */
  path: string;
  /** The path exactly as the proxy reported it. */
  raw_path: string;
  query: Record<string, string[]>;
  headers: Record<string, string>;
  host: string;
  scheme: string;
  client_ip: string;
}

/**
 * What the inputs are built from: Node's request (fastify's `req.raw`). `rawHeaders` is always
 * there on a served request; unit tests' hand-made requests may leave it out.
 */
export type ProxyHttpRequest = Pick<IncomingMessage, 'headers' | 'method' | 'url' | 'socket'> & { rawHeaders?: string[] };

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'content-length']);
const CONSUMED_PREFIXES = ['x-original-', 'x-forwarded-', 'x-envoy-'];
const MAX_HEADERS = 200;

function header(req: ProxyHttpRequest, name: string): string | undefined {
  const v = req.headers[name];
  if (Array.isArray(v)) return v[0];
  return v;
}

/**
 * Percent-decodes and removes dot segments. Anything upstreams read differently fails closed
 * with a 400 rather than being guessed at: a malformed escape, a NUL, an encoded slash or
 * backslash (`/admin/..%2Fpublic` is one segment to some servers and three to others), a raw
 * backslash (a separator on some), and a dot segment carrying `;` parameters (`/public/..;/admin`
 * climbs on servlet containers).
 */
export function normalizePath(raw: string): string {
  // Already normal (the usual case): nothing to decode, no dot or empty segments.
  if (raw.charCodeAt(0) === 47 && !raw.includes('%') && !raw.includes('/.') && !raw.includes('//') && !raw.includes('\\') && !raw.includes('\0')) return raw;
  if (raw.charCodeAt(0) !== 47) throw new HttpError('invalid_parameter', 'the original request path must start with `/`');
  if (ENCODED_SEPARATOR.test(raw)) throw new HttpError('invalid_parameter', 'the original request path has an encoded `/` or `\\` (%2F, %5C), which upstreams read differently');
  if (raw.includes('\\')) throw new HttpError('invalid_parameter', 'the original request path has a `\\`, which some upstreams read as `/`');
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new HttpError('invalid_parameter', 'the original request path has a malformed percent escape');
  }
  if (decoded.includes('\0')) throw new HttpError('invalid_parameter', 'the original request path contains a NUL byte');
  const out: string[] = [];
  const segments = decoded.split('/');
  for (const seg of segments) {
    if (seg === '..') out.pop();
    else if (seg === '.' || seg === '') continue;
    else if (DOT_SEGMENT_WITH_PARAMS.test(seg)) throw new HttpError('invalid_parameter', 'the original request path has a dot segment with `;` parameters, which some upstreams resolve');
    else out.push(seg);
  }
  // A trailing slash stays, and a final dot segment leaves one (RFC 3986: `/a/b/..` is `/a/`).
  const last = segments[segments.length - 1];
  const directory = last === '' || last === '.' || last === '..';
  return '/' + out.join('/') + (out.length && directory ? '/' : '');
}

const ENCODED_SEPARATOR = /%(2f|5c)/i;
const DOT_SEGMENT_WITH_PARAMS = /^\.\.?;/;

/**
 * The request target as an origin-form URI. nginx's `$request_uri` keeps an absolute-form target
 * (`GET http://host/admin`) as sent: the path inside it is what the upstream routes on. Any other
 * form (`*`, a bare word) fails closed.
 */
export function originForm(target: string): string {
  if (target.charCodeAt(0) === 47) return target;
  const m = ABSOLUTE_FORM.exec(target);
  if (m) return m[1] || '/';
  throw new HttpError('invalid_parameter', 'the original request URI must be a path starting with `/` (or an absolute http(s) URI)');
}

/** `http(s)://authority` then the path and query (group 1); the authority has no `/`, `?` or `#`. */
const ABSOLUTE_FORM = /^https?:\/\/[^/?#]*([/?].*)?$/is;

/** Splits an origin-form URI into path and query. */
export function splitUri(uri: string): { rawPath: string; query: Record<string, string[]> } {
  // A request target never holds a fragment; upstreams that get one (nginx passes it on) read the
  // path only up to it, while the rest would be decided on.
  if (uri.includes('#')) throw new HttpError('invalid_parameter', 'the original request URI has a `#`, which upstreams read as the end of the path');
  const q = uri.indexOf('?');
  const rawPath = (q < 0 ? uri : uri.slice(0, q)) || '/';
  // Own properties defined explicitly, so a `__proto__` parameter is just a key.
  const query: Record<string, string[]> = {};
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(uri.slice(q + 1))) {
      if (Object.prototype.hasOwnProperty.call(query, k)) query[k]!.push(v);
      else Object.defineProperty(query, k, { value: [v], enumerable: true, writable: true, configurable: true });
    }
  }
  return { rawPath, query };
}

/** Headers the proxy sent about the original request, which the input's own fields carry. */
function consumed(name: string): boolean {
  if (name.charCodeAt(0) !== 120 /* x */) return false;
  return name === 'x-real-ip' || CONSUMED_PREFIXES.some(p => name.startsWith(p));
}

function requestHeaders(req: ProxyHttpRequest, identityHeaders: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  let n = 0;
  for (const name of Object.keys(req.headers)) {
    if (HOP_BY_HOP.has(name) || identityHeaders.has(name) || consumed(name)) continue;
    // Fail closed rather than truncate: a header past the limit could be the one a policy denies on.
    if (++n > MAX_HEADERS) throw new HttpError('invalid_parameter', `the request has more than ${MAX_HEADERS} headers`);
    const v = req.headers[name];
    const text = Array.isArray(v) ? v.join(', ') : v;
    if (text !== undefined) defineKey(out, name, text);
  }
  return out;
}

/**
 * The client address: `X-Real-IP` when the proxy is one that sets it (nginx, as configured in the
 * docs), else the last `X-Forwarded-For` hop (the one the proxy added), else the peer. Caddy,
 * Traefik and Envoy pass a client's own `X-Real-IP` on untouched, so it is not read for them.
 */
function clientIp(req: ProxyHttpRequest, readRealIp: boolean): string {
  const real = readRealIp ? header(req, 'x-real-ip') : undefined;
  if (real) return real.trim();
  const xff = header(req, 'x-forwarded-for');
  if (xff) {
    const hops = xff.split(',').map(s => s.trim()).filter(Boolean);
    if (hops.length) return hops[hops.length - 1]!;
  }
  return req.socket.remoteAddress ?? '';
}

/**
 * Headers that must come once: Node keeps the first of repeated ones and drops the rest, while an
 * upstream may read the last, so a repeated one fails closed instead of being decided on half.
 */
const SINGLE_HEADERS = new Set(['authorization', 'proxy-authorization', 'host', 'x-original-uri', 'x-original-method', 'x-forwarded-uri', 'x-forwarded-method', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip']);
const SINGLE_HEADER_LENGTHS = new Set([...SINGLE_HEADERS].map(n => n.length));

function refuseRepeatedSingles(req: ProxyHttpRequest): void {
  const raw: string[] = req.rawHeaders ?? [];
  let seen: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    // Only names of a matching length are lower-cased and looked up.
    if (!SINGLE_HEADER_LENGTHS.has(name.length)) continue;
    const lower = name.toLowerCase();
    if (!SINGLE_HEADERS.has(lower)) continue;
    if (seen?.has(lower)) throw new HttpError('invalid_parameter', `the request repeats the \`${lower}\` header`);
    (seen ??= new Set()).add(lower);
  }
}

/**
 * Input for nginx `auth_request`, Traefik ForwardAuth and Caddy `forward_auth`.
 *
 * Each proxy sets its own pair of headers and passes the client's other headers on, so a client
 * can send the other pair: Caddy forwards a client's `X-Original-URI` beside the
 * `X-Forwarded-Uri` it sets. With `auto`, a request carrying headers of both pairs, or half of
 * one, is refused rather than decided on a pair the client may have written.
 */
export function forwardAuthInput(req: ProxyHttpRequest, identityHeaders: ReadonlySet<string>, source: OriginalRequestHeaders = 'auto'): { request: ProxiedRequest } {
  refuseRepeatedSingles(req);
  const nginx = { uri: header(req, 'x-original-uri'), method: header(req, 'x-original-method') };
  const forwarded = { uri: header(req, 'x-forwarded-uri'), method: header(req, 'x-forwarded-method') };
  let family: OriginalRequestHeaders = source;
  if (family === 'auto') {
    const hasNginx = nginx.uri !== undefined || nginx.method !== undefined;
    const hasForwarded = forwarded.uri !== undefined || forwarded.method !== undefined;
    if (hasNginx && hasForwarded) throw new HttpError('invalid_parameter', 'the request has both X-Original-URI/-Method and X-Forwarded-Uri/-Method: the proxy sets one pair and a client may have sent the other (set forward_auth.original_request to the pair your proxy sets)');
    family = hasForwarded ? 'x-forwarded' : 'x-original';
  }
  const pair = family === 'x-original' ? nginx : forwarded;
  const names = family === 'x-original' ? 'X-Original-URI and X-Original-Method (nginx)' : 'X-Forwarded-Uri and X-Forwarded-Method (Traefik, Caddy)';
  if (pair.uri === undefined || pair.method === undefined) throw new HttpError('invalid_parameter', `forward-auth needs the original request: send ${names}`);
  const { rawPath, query } = splitUri(originForm(utf8Target(pair.uri)));
  return {
    request: {
      method: pair.method.toUpperCase(),
      path: normalizePath(rawPath),
      raw_path: rawPath,
      query,
      headers: requestHeaders(req, identityHeaders),
      host: header(req, 'x-forwarded-host') ?? header(req, 'host') ?? '',
      scheme: (header(req, 'x-forwarded-proto') ?? 'http').toLowerCase(),
      client_ip: clientIp(req, family === 'x-original'),
    },
  };
}

/**
 * The request target as text. Node reads a request line's and a header's bytes as Latin-1, so a
 * raw UTF-8 path (`/café` as nginx passes it on) arrives as `/cafÃ©` while `/caf%C3%A9` decodes
 * to `/café`: the same resource upstream. Raw bytes are read as UTF-8 here; bytes that are not
 * UTF-8 are refused.
 */
export function utf8Target(target: string): string {
  if (!NON_ASCII.test(target)) return target;
  for (let i = 0; i < target.length; i++) {
    // Already decoded text (not from Node's parser): nothing to re-read.
    if (target.charCodeAt(i) > 0xff) return target;
  }
  try {
    return STRICT_UTF8.decode(Buffer.from(target, 'latin1'));
  } catch {
    throw new HttpError('invalid_parameter', 'the original request URI has bytes that are not UTF-8');
  }
}

const NON_ASCII = /[^\x00-\x7f]/;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Input for Envoy ext_authz in HTTP service mode: the original method, the path after the prefix. */
export function extAuthzInput(req: ProxyHttpRequest, prefix: string, identityHeaders: ReadonlySet<string>): { request: ProxiedRequest } {
  refuseRepeatedSingles(req);
  const uri = utf8Target(req.url!.slice(prefix.length)) || '/';
  const { rawPath, query } = splitUri(uri.startsWith('/') ? uri : '/' + uri);
  return {
    request: {
      method: req.method!.toUpperCase(),
      path: normalizePath(rawPath),
      raw_path: rawPath,
      query,
      headers: requestHeaders(req, identityHeaders),
      host: header(req, 'host') ?? '',
      scheme: (header(req, 'x-forwarded-proto') ?? 'http').toLowerCase(),
      client_ip: header(req, 'x-envoy-external-address') ?? clientIp(req, false),
    },
  };
}
