/**
 * The server's configuration: `pol.yaml` (js-yaml, validated with ajv — unknown keys are errors),
 * merged with command-line flags, with every default written down here once.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { Ajv, type ErrorObject } from 'ajv';
import yaml from 'js-yaml';
import { loadGeoDatabase, type GeoDatabase } from '../engine/builtins/geo.js';
import { DEFAULT_MIN_COST } from '../engine/cache/index.js';
import { DEFAULT_FLUSH_MS } from './audit/decision-log.js';

export interface ServerConfig {
  /** `host:port` to listen on. */
  addr: string;
  /** A directory of `.pol` files (and `data.json` / `data.yaml`), watched for changes. */
  policies?: { dir: string; watch: boolean; debounce_ms: number };
  /** A signed bundle polled from a URL. */
  bundle?: BundleConfig;
  /**
   * `eval_workers`: threads for entry points whose evaluations have run longer than
   * `offload_after_ms` on the request thread twice in a row, and for those `offload_paths` names
   * (0: none; threads start only when needed).
   */
  limits: { body_bytes: number; json_depth: number; eval_timeout_ms: number; batch_size: number; eval_workers: number; offload_after_ms: number; offload_paths: string[] };
  cache: { enabled: boolean; max_entries: number; ttl_ms: number; min_cost: number };
  decision_log: { enabled: boolean; path: string; mask: string[]; buffer: number; flush_ms: number };
  /** `base_url`: the PDP's own URL for the discovery document (default: from the request's Host). */
  authzen: { path: string; base_url?: string };
  forward_auth: ForwardAuthConfig;
  ext_authz: ProxyAuthConfig;
  /**
   * Policy and data writes through the API (`/v1/policies`, `PUT`/`PATCH`/`DELETE /v1/data`).
   * `writable` needs a `token` (bearer) unless `unauthenticated` says, in so many words, that
   * anyone who can reach the port may replace the policies and the data.
   */
  policy_api: { writable: boolean; token?: string; unauthenticated?: boolean };
  /** Log level of the server's own log (requests are not logged; decisions go to the decision log). */
  log_level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
  /**
   * A MaxMind-format `.mmdb` file (GeoIP2/GeoLite2 Country or City, DB-IP, ...) for the `geo.*`
   * builtins, loaded once at start-up; without it they use the embedded country table.
   */
  geo_database?: string;
}

export interface BundleConfig {
  url: string;
  /** Verification key: a PEM public key (RS*, PS*, ES*, EdDSA) or a shared secret (HS*). */
  public_key?: string;
  public_key_file?: string;
  secret?: string;
  algorithm: string;
  poll_seconds: number;
  max_bytes: number;
  /** Extra request headers (e.g. an Authorization header for the bundle server). */
  headers: Record<string, string>;
}

export interface ProxyAuthConfig {
  /** The decision document evaluated for each proxied request. */
  path: string;
  /** Headers returned on allow, always all of them (empty when the decision gives none). */
  identity_headers: string[];
  /** Status for a deny that does not ask for a specific one. */
  deny_status: 401 | 403;
  /** Status when evaluation fails (fail closed). */
  error_status: number;
}

/**
 * Which headers carry the original request to forward-auth: nginx's `X-Original-URI` /
 * `X-Original-Method` (set by its configuration), Traefik's and Caddy's `X-Forwarded-Uri` /
 * `X-Forwarded-Method`, or `auto`: whichever pair the request has.
 */
export type OriginalRequestHeaders = 'auto' | 'x-original' | 'x-forwarded';

export interface ForwardAuthConfig extends ProxyAuthConfig {
  /**
   * Which headers carry the original request: `x-original` (nginx), `x-forwarded` (Traefik,
   * Caddy) or `auto` (whichever pair a request has; both pairs at once is refused).
   */
  original_request: OriginalRequestHeaders;
}

export const DEFAULT_ADDR = '127.0.0.1:8181';

export function defaultConfig(): ServerConfig {
  const proxy = (errorStatus: number): ProxyAuthConfig => ({
    path: 'gateway/decision',
    // The headers the bundled `gateway` package decides (obligations.headers), plus the decision id.
    identity_headers: ['x-user-id', 'x-user-tier', 'x-decision-id'],
    deny_status: 403,
    error_status: errorStatus,
  });
  return {
    addr: DEFAULT_ADDR,
    // One core for the request thread, the rest (up to four) for slow evaluations.
    limits: { body_bytes: 1_048_576, json_depth: 64, eval_timeout_ms: 1_000, batch_size: 100, eval_workers: Math.min(4, Math.max(1, availableParallelism() - 1)), offload_after_ms: 5, offload_paths: [] },
    cache: { enabled: true, max_entries: 10_000, ttl_ms: 60_000, min_cost: DEFAULT_MIN_COST },
    // Credentials that proxies forward are erased from the log unless the operator says otherwise.
    decision_log: {
      enabled: false, path: 'stdout', buffer: 10_000, flush_ms: DEFAULT_FLUSH_MS,
      mask: ['/input/request/headers/authorization', '/input/request/headers/cookie', '/input/request/headers/proxy-authorization'],
    },
    authzen: { path: 'authzen/allow' },
    // nginx turns a 500 from the auth service into a 500 for the client; Envoy maps 5xx to its
    // `status_on_error` (403 by default) — both deny.
    forward_auth: { ...proxy(500), original_request: 'auto' },
    ext_authz: proxy(403),
    policy_api: { writable: false },
    log_level: 'info',
  };
}

const proxySchema = {
  type: 'object', additionalProperties: false,
  properties: {
    path: { type: 'string', minLength: 1 },
    identity_headers: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z0-9-]+$' }, maxItems: 64 },
    deny_status: { enum: [401, 403] },
    error_status: { type: 'integer', minimum: 400, maximum: 599 },
  },
} as const;

const positive = { type: 'integer', minimum: 1 } as const;
/** The longest `policies.debounce_ms` (it is also how often a missing policy directory is looked for). */
export const MAX_DEBOUNCE_MS = 60_000;
/** The largest `cache.max_entries` (the LRU allocates its index for all of them up front). */
export const MAX_CACHE_ENTRIES = 10_000_000;

/** The schema of `pol.yaml`: every object closed, so a typo is an error rather than ignored. */
export const CONFIG_SCHEMA = {
  type: 'object', additionalProperties: false,
  properties: {
    addr: { type: 'string', pattern: '^[^\\s]*:[0-9]{1,5}$' },
    policies: {
      type: 'object', additionalProperties: false, required: ['dir'],
      properties: { dir: { type: 'string', minLength: 1 }, watch: { type: 'boolean' }, debounce_ms: { type: 'integer', minimum: 0, maximum: MAX_DEBOUNCE_MS } },
    },
    bundle: {
      type: 'object', additionalProperties: false, required: ['url'],
      properties: {
        url: { type: 'string', pattern: '^https?://' },
        public_key: { type: 'string' }, public_key_file: { type: 'string' }, secret: { type: 'string', minLength: 16 },
        algorithm: { enum: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'HS256', 'HS384', 'HS512'] },
        // Timers longer than 2^31 - 1 ms fire at once: a day is the longest useful interval.
        poll_seconds: { type: 'number', exclusiveMinimum: 0, maximum: 86_400 },
        max_bytes: positive,
        headers: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    limits: {
      type: 'object', additionalProperties: false,
      properties: {
        body_bytes: positive, json_depth: { type: 'integer', minimum: 1, maximum: 512 }, eval_timeout_ms: positive, batch_size: positive,
        eval_workers: { type: 'integer', minimum: 0, maximum: 64 }, offload_after_ms: { type: 'integer', minimum: 1, maximum: 60_000 },
        offload_paths: { type: 'array', maxItems: 1_000, items: { type: 'string', minLength: 1, maxLength: 1024 } },
      },
    },
    cache: {
      type: 'object', additionalProperties: false,
      properties: { enabled: { type: 'boolean' }, max_entries: { type: 'integer', minimum: 1, maximum: MAX_CACHE_ENTRIES }, ttl_ms: { type: 'integer', minimum: 0 }, min_cost: { type: 'integer', minimum: 0 } },
    },
    decision_log: {
      type: 'object', additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' }, path: { type: 'string', minLength: 1 },
        mask: { type: 'array', items: { type: 'string', pattern: '^/(input|result)(/|$)' } }, buffer: positive, flush_ms: { type: 'integer', minimum: 0, maximum: 10_000 },
      },
    },
    authzen: { type: 'object', additionalProperties: false, properties: { path: { type: 'string', minLength: 1 }, base_url: { type: 'string', pattern: '^https?://[^/?#\\s]+(/[^?#\\s]*)?$' } } },
    forward_auth: { ...proxySchema, properties: { ...proxySchema.properties, original_request: { enum: ['auto', 'x-original', 'x-forwarded'] } } },
    ext_authz: proxySchema,
    policy_api: {
      type: 'object', additionalProperties: false,
      properties: { writable: { type: 'boolean' }, token: { type: 'string', minLength: 16 }, unauthenticated: { type: 'boolean' } },
    },
    log_level: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'silent'] },
    geo_database: { type: 'string', minLength: 1 },
  },
} as const;

/** A configuration mistake, reported as one line per problem. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const ajv = new Ajv({ allErrors: true, strict: true });
const validate = ajv.compile(CONFIG_SCHEMA);

function describe(e: ErrorObject, source: string): string {
  const at = e.instancePath ? ` at \`${e.instancePath}\`` : '';
  if (e.keyword === 'additionalProperties') {
    const key = (e.params as { additionalProperty: string }).additionalProperty;
    return `${source}: unknown key \`${key}\`${at || ' at the top level'}`;
  }
  if (e.keyword === 'enum') return `${source}${at}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map(v => JSON.stringify(v)).join(', ')}`;
  return `${source}${at}: ${e.message ?? 'is invalid'}`;
}

/** A partial configuration, as written in `pol.yaml` or built by tests. */
export type ConfigInput = { [K in keyof ServerConfig]?: NonNullable<ServerConfig[K]> extends object ? Partial<NonNullable<ServerConfig[K]>> : ServerConfig[K] };

/** Validates a parsed configuration object and fills in defaults. Throws `ConfigError`. */
export function resolveConfig(raw: unknown, source = 'configuration'): ServerConfig {
  const obj = raw ?? {};
  if (!validate(obj)) throw new ConfigError((validate.errors ?? []).map(e => describe(e, source)).join('\n'));
  const input = obj as ConfigInput;
  const d = defaultConfig();
  const cfg: ServerConfig = {
    ...d,
    addr: input.addr ?? d.addr,
    limits: { ...d.limits, ...input.limits },
    cache: { ...d.cache, ...input.cache },
    decision_log: { ...d.decision_log, ...input.decision_log },
    authzen: { ...d.authzen, ...input.authzen },
    forward_auth: { ...d.forward_auth, ...input.forward_auth },
    ext_authz: { ...d.ext_authz, ...input.ext_authz },
    policy_api: { ...d.policy_api, ...input.policy_api },
    log_level: input.log_level ?? d.log_level,
  };
  if (input.geo_database !== undefined) cfg.geo_database = input.geo_database;
  if (input.policies) cfg.policies = { watch: true, debounce_ms: 100, ...input.policies } as ServerConfig['policies'];
  if (input.bundle) {
    const b = input.bundle;
    const keys = [b.public_key, b.public_key_file, b.secret].filter(k => k !== undefined).length;
    if (keys !== 1) throw new ConfigError(`${source} at \`/bundle\`: give exactly one of \`public_key\`, \`public_key_file\` or \`secret\` (bundles are always verified)`);
    const algorithm = b.algorithm ?? (b.secret !== undefined ? 'HS256' : 'RS256');
    if ((b.secret !== undefined) !== algorithm.startsWith('HS')) {
      throw new ConfigError(`${source} at \`/bundle/algorithm\`: \`${algorithm}\` does not match the kind of key given`);
    }
    cfg.bundle = { poll_seconds: 30, max_bytes: 64 * 1024 * 1024, headers: {}, ...b, algorithm } as BundleConfig;
  }
  // Fail closed: an open write API lets anyone who reaches the port replace every policy.
  if (cfg.policy_api.writable && cfg.policy_api.token === undefined && cfg.policy_api.unauthenticated !== true) {
    throw new ConfigError(`${source} at \`/policy_api\`: \`writable: true\` needs a \`token\` (at least 16 characters; writes then need \`Authorization: Bearer <token>\`), or \`unauthenticated: true\` to let anyone who can reach the server change policies and data`);
  }
  if (cfg.policies && cfg.bundle) throw new ConfigError(`${source}: give either \`policies\` or \`bundle\`, not both`);
  // Checked here, before anything is loaded, rather than when the listener is opened.
  try {
    parseAddr(cfg.addr);
  } catch (e) {
    throw new ConfigError(`${source} at \`/addr\`: ${(e as Error).message}`);
  }
  // Forwarded credentials are always erased; a configured list adds to them.
  cfg.decision_log.mask = [...new Set([...d.decision_log.mask, ...cfg.decision_log.mask])];
  for (const p of [cfg.forward_auth, cfg.ext_authz]) p.identity_headers = p.identity_headers.map(h => h.toLowerCase());
  return cfg;
}

/** Reads and validates a YAML configuration file. */
export function loadConfigFile(file: string): ServerConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`cannot read configuration file ${file}`);
  }
  let raw: unknown;
  try {
    // The JSON schema: plain data only (no YAML-specific types such as dates or merge keys).
    raw = yaml.load(text, { schema: yaml.JSON_SCHEMA, filename: file });
  } catch (e) {
    throw new ConfigError(`${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  return resolveConfig(raw, file);
}

/**
 * Loads `geo_database` (relative to `cwd`), once, at start-up: an unreadable or invalid file is a
 * `ConfigError` naming it, so the server never starts with geo lookups that would all fail.
 */
export function openGeoDatabase(config: ServerConfig, cwd = process.cwd()): GeoDatabase | undefined {
  if (config.geo_database === undefined) return undefined;
  try {
    return loadGeoDatabase(resolve(cwd, config.geo_database));
  } catch (e) {
    throw new ConfigError(`geo_database: ${(e as Error).message}`);
  }
}

/** Splits `host:port` (IPv6 hosts in brackets). */
export function parseAddr(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  const host = addr.slice(0, i).replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  const port = Number(addr.slice(i + 1));
  if (i < 0 || !/^[0-9]+$/.test(addr.slice(i + 1)) || port > 65535) throw new ConfigError(`invalid address \`${addr}\` (want host:port, with a port from 0 to 65535)`);
  return { host, port };
}
