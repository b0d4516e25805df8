/**
 * User-Agent parsing for `device.parse`, on ua-parser-js v1 (MIT; v2 is AGPL, so pol stays on v1).
 *
 * The parser's answer is flattened into eight string fields that are always present (`""` when
 * unknown) and a normalised device `type`. ua-parser-js reports no type for desktops and knows
 * nothing of automation clients, so pol adds both rules here.
 */
import { createRequire } from 'node:module';
import { BoundedMap } from '../bounded-map.js';
import type { PlainObject } from '../../value.js';

/** The slice of ua-parser-js v1's API pol uses (the package ships no type declarations). */
interface UAParserInstance {
  getBrowser(): { name?: string; version?: string };
  getEngine(): { name?: string; version?: string };
  getOS(): { name?: string; version?: string };
  getDevice(): { vendor?: string; model?: string; type?: string };
}
type UAParserClass = new (ua: string) => UAParserInstance;

// createRequire rather than `import`: the CommonJS package has no types, and this keeps the one
// untyped boundary in one line.
const UAParser = createRequire(import.meta.url)('ua-parser-js') as UAParserClass;

/**
 * Only this many leading characters (UTF-16 code units) of a User-Agent are parsed: ua-parser-js
 * v1's own limit, applied before the cache so hostile long headers neither reach its regexes nor
 * grow the cache keys. Real User-Agents are well under 300 characters.
 */
export const MAX_USER_AGENT = 500;

export type DeviceType = 'desktop' | 'mobile' | 'tablet' | 'smarttv' | 'wearable' | 'console' | 'embedded' | 'bot' | 'unknown';

export interface DeviceInfo {
  readonly type: DeviceType;
  readonly os: string;
  readonly os_version: string;
  readonly browser: string;
  readonly browser_version: string;
  readonly engine: string;
  readonly vendor: string;
  readonly model: string;
}

/** Device types ua-parser-js v1 reports that pol passes through unchanged. */
const PARSER_TYPES: ReadonlySet<string> = new Set(['mobile', 'tablet', 'smarttv', 'wearable', 'console', 'embedded']);

/**
 * Operating systems (as ua-parser-js names them, lower-cased) that, with no device type, mean a
 * desktop or laptop. The BSDs are matched by suffix.
 */
const DESKTOP_OS: ReadonlySet<string> = new Set([
  'windows', 'mac os', 'chromium os', 'linux', 'ubuntu', 'kubuntu', 'xubuntu', 'lubuntu', 'debian', 'fedora',
  'centos', 'red hat', 'redhat', 'suse', 'opensuse', 'gentoo', 'arch', 'slackware', 'mandriva', 'mageia', 'mint',
  'manjaro', 'elementary os', 'deepin', 'pclinuxos', 'zenwalk', 'linpus', 'raspbian', 'sabayon', 'linspire',
  'vectorlinux', 'gnu', 'hurd', 'dragonfly', 'solaris', 'opensolaris', 'haiku', 'unix', 'aix', 'hp-ux',
]);

/**
 * Obvious automation: HTTP client libraries and command-line tools by their product token,
 * headless browsers, and anything calling itself a bot, crawler or spider. `cubot` is a phone
 * brand, not a bot.
 */
const AUTOMATION = new RegExp([
  String.raw`(?:^|[\s;(])(?:curl|wget|python-requests|python-urllib|python-httpx|aiohttp|go-http-client|okhttp|java|apache-httpclient|libwww-perl|node-fetch|axios|undici|postmanruntime)/`,
  String.raw`headlesschrome|phantomjs`,
  String.raw`(?<!cu)bot\b|crawl|spider|slurp|facebookexternalhit`,
].join('|'), 'i');

function classify(ua: string, deviceType: string, os: string): DeviceType {
  if (AUTOMATION.test(ua)) return 'bot';
  if (deviceType) return PARSER_TYPES.has(deviceType) ? deviceType as DeviceType : 'unknown';
  const name = os.toLowerCase();
  if (DESKTOP_OS.has(name) || name.endsWith('bsd')) return 'desktop';
  return 'unknown';
}

const EMPTY: DeviceInfo = Object.freeze({
  type: 'unknown', os: '', os_version: '', browser: '', browser_version: '', engine: '', vendor: '', model: '',
});

function str(v: unknown): string { return typeof v === 'string' ? v : ''; }

/** Parses a User-Agent (already capped to `MAX_USER_AGENT`). Never throws. */
function parseUncached(ua: string): DeviceInfo {
  if (ua.trim() === '') return EMPTY;
  const p = new UAParser(ua);
  const browser = p.getBrowser(), engine = p.getEngine(), os = p.getOS(), device = p.getDevice();
  const osName = str(os.name);
  return Object.freeze({
    type: classify(ua, str(device.type), osName),
    os: osName,
    os_version: str(os.version),
    browser: str(browser.name),
    browser_version: str(browser.version),
    engine: str(engine.name),
    vendor: str(device.vendor),
    model: str(device.model),
  });
}

// The same few User-Agents make up most traffic; FIFO eviction bounds memory against churn.
const cache = new BoundedMap<string, DeviceInfo>(1024);

/** The frozen, cached description of a User-Agent; callers copy it before handing it to policies. */
export function describeUserAgent(userAgent: string): DeviceInfo {
  const ua = userAgent.length > MAX_USER_AGENT ? userAgent.slice(0, MAX_USER_AGENT) : userAgent;
  let info = cache.get(ua);
  if (info === undefined) {
    info = parseUncached(ua);
    cache.set(ua, info);
  }
  return info;
}

/** A fresh, mutable copy as a policy value, so nothing a caller does can reach the cache. */
export function deviceInfoValue(info: DeviceInfo): PlainObject {
  return {
    type: info.type, os: info.os, os_version: info.os_version, browser: info.browser,
    browser_version: info.browser_version, engine: info.engine, vendor: info.vendor, model: info.model,
  };
}
