import { T, type BuiltinDecl } from '../types.js';

export const decls: BuiltinDecl[] = [
  {
    name: 'device.parse', category: 'device',
    args: [{ name: 'user_agent', type: T.str, description: 'a `User-Agent` header value' }],
    result: T.obj(T.str, T.str),
    description: 'Describes the client behind a User-Agent (parsed with ua-parser-js v1): `{"type", "os", "os_version", "browser", "browser_version", "engine", "vendor", "model"}`. Every key is always present; a field the User-Agent does not reveal is `""`. Names are ua-parser-js\'s, e.g. os `Windows`, `Mac OS`, `iOS`, `Android`, `Linux`; browser `Chrome`, `Firefox`, `Safari`, `Mobile Safari`, `Edge`. `type` is one of `desktop`, `mobile`, `tablet`, `smarttv`, `wearable`, `console`, `embedded`, `bot`, `unknown`: `bot` for crawlers and automation (anything calling itself a bot, crawler or spider; `curl`, `wget`, `python-requests`, `Go-http-client`, `okhttp`, `Java` and other HTTP client libraries; `HeadlessChrome`), taking precedence over the rest; `desktop` for a desktop operating system (Windows, macOS, Linux distributions, Chromium OS, the BSDs) with no mobile, tablet or other device detected; `unknown` otherwise, including the empty string. Only the first 500 characters are parsed. A User-Agent is client-supplied and trivially forged: use this for routing, step-up and analytics, never as the only proof of a device (an iPad in desktop mode, for one, reports `Mac OS` and `desktop`).',
    example: 'device.parse(input.request.headers["user-agent"]).type != "bot"',
  },
  {
    name: 'device.posture', category: 'device',
    args: [{ name: 'device', type: T.obj(T.str, T.any), description: 'the posture object the gateway or MDM put in `input`' }],
    result: T.obj(T.str, T.any),
    description: 'Normalises a device-posture report into `{"managed", "compliant", "disk_encrypted", "os_patch_age_days", "client_cert_fingerprint", "device_id"}`, every key always present with a fixed type and failing closed. `managed`, `compliant`, `disk_encrypted`: `true` only when the report has the JSON value `true` (missing, `"true"`, `1` are `false`). `os_patch_age_days`: days since the last OS patch, rounded up; missing, negative or non-numeric is `2147483647` ("never patched", so both `<= 30` and `> 30` tests fail closed). `client_cert_fingerprint`: the SHA-256 fingerprint in canonical form (64 lower-case hex digits, see `device.fingerprint_matches`), `""` when missing or not a SHA-256 fingerprint. `device_id`: the string, or `""`. Other keys are dropped.',
    example: 'device.posture(input.device).managed',
  },
  {
    name: 'device.fingerprint_matches', category: 'device',
    args: [
      { name: 'fingerprint', type: T.str, description: 'SHA-256 certificate fingerprint presented by the client' },
      { name: 'trusted', type: T.or(T.set(T.str), T.arr(T.str)), description: 'trusted SHA-256 fingerprints' },
    ],
    result: T.bool,
    description: 'Checks whether a certificate fingerprint is one of the trusted ones. Both sides are normalised first: surrounding white space, an optional `sha256:` / `SHA256=` / `sha-256:` / `sha256 Fingerprint=` prefix (any case) and `:` separators are dropped and hex is lower-cased, so `AB:CD:…` (openssl) and `abcd…` (Envoy) are the same fingerprint. Only SHA-256 is accepted: after normalising, a value must be exactly 64 hex digits; a `fingerprint` that is not is `false`, and such `trusted` entries never match. The comparison is constant-time per entry and always checks every entry.',
    example: 'device.fingerprint_matches(input.device.client_cert_fingerprint, data.trusted_device_certs)',
  },
];
