/**
 * Go's fmt verbs as OPA's `sprintf` exposes them. OPA hands Go integers (or big integers) for
 * integral numbers, float64 for the rest, Go strings for strings, and Rego values (printed in
 * Rego syntax by their `String()` method) for everything else; mismatched verbs print Go's
 * `%!d(string=hi)` diagnostics.
 */
import { compare, isObject, objectEntries, PolSet, type Value } from '../value.js';
import { isIntegral, toBig } from './num.js';

/** Rego's text for a value (`["a", 1]`, `{"k": true}`, `{1, 2}`, `set()`), as OPA prints terms. */
export function regoText(v: Value): string {
  switch (typeof v) {
    case 'string': return goQuote(v);
    case 'number': return formatNumberText(v);
    case 'bigint': return v.toString();
    case 'boolean': return v ? 'true' : 'false';
    default:
      if (v === null) return 'null';
      if (Array.isArray(v)) return '[' + v.map(regoText).join(', ') + ']';
      if (v instanceof PolSet) return v.size === 0 ? 'set()' : '{' + v.sorted().map(regoText).join(', ') + '}';
      if (isObject(v)) {
        return '{' + objectEntries(v).sort((a, b) => compare(a[0], b[0])).map(([k, x]) => regoText(k) + ': ' + regoText(x)).join(', ') + '}';
      }
      return String(v);
  }
}

/** A number's canonical text: integers in full, others as JS's shortest round-trip form. */
export function formatNumberText(n: number): string {
  if (Number.isInteger(n) && !Number.isSafeInteger(n) && Number.isFinite(n)) return toBig(n).toString();
  return String(n + 0);
}

/** Go's strconv.Quote for the common cases: JSON escapes, with `\u00XX` control characters as `\x`. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"': out += '\\"'; continue;
      case '\\': out += '\\\\'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\x07': out += '\\a'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\v': out += '\\v'; continue;
    }
    if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd';
    else if (c >= 0x80 && c <= 0x9f) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

// ---- Go operands ------------------------------------------------------------------------------

type GoArg =
  | { t: 'int'; v: bigint }
  | { t: 'float'; v: number }
  | { t: 'string'; v: string }
  | { t: 'value'; v: Value; type: string };

function toGoArg(v: Value): GoArg {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return { t: 'string', v: String(v) };
    return isIntegral(v) ? { t: 'int', v: toBig(v) } : { t: 'float', v };
  }
  if (typeof v === 'bigint') return { t: 'int', v };
  if (typeof v === 'string') return { t: 'string', v };
  const type = v === null ? 'ast.Null' : typeof v === 'boolean' ? 'ast.Boolean' : Array.isArray(v) ? '*ast.Array' : v instanceof PolSet ? '*ast.set' : '*ast.object';
  return { t: 'value', v, type };
}

interface Spec { minus: boolean; plus: boolean; sharp: boolean; zero: boolean; space: boolean; width: number; prec: number }

/** Formats `format` with `args` the way Go's fmt.Sprintf does for OPA's operands. */
export function sprintf(format: string, values: readonly Value[]): string {
  let out = '';
  let argi = 0;
  const n = format.length;
  let i = 0;
  while (i < n) {
    const pct = format.indexOf('%', i);
    if (pct < 0) { out += format.slice(i); break; }
    out += format.slice(i, pct);
    i = pct + 1;
    if (i >= n) { out += '%!(NOVERB)'; break; }
    const spec: Spec = { minus: false, plus: false, sharp: false, zero: false, space: false, width: -1, prec: -1 };
    flags: for (; i < n; i++) {
      switch (format[i]) {
        case '-': spec.minus = true; break;
        case '+': spec.plus = true; break;
        case '#': spec.sharp = true; break;
        case '0': spec.zero = true; break;
        case ' ': spec.space = true; break;
        default: break flags;
      }
    }
    let w = '';
    while (i < n && format[i]! >= '0' && format[i]! <= '9') w += format[i++];
    if (w) spec.width = Math.min(Number(w), 10_000);
    if (format[i] === '.') {
      i++;
      let p = '';
      while (i < n && format[i]! >= '0' && format[i]! <= '9') p += format[i++];
      spec.prec = Math.min(Number(p || '0'), 1_000);
    }
    if (i >= n) { out += '%!(NOVERB)'; break; }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') { out += '%'; continue; }
    if (argi >= values.length) { out += `%!${verb}(MISSING)`; continue; }
    out += formatArg(verb, spec, toGoArg(values[argi++]!));
  }
  if (argi < values.length) {
    out += '%!(EXTRA ' + values.slice(argi).map(v => { const a = toGoArg(v); return `${goTypeName(a)}=${plain(a)}`; }).join(', ') + ')';
  }
  return out;
}

function goTypeName(a: GoArg): string {
  switch (a.t) {
    case 'int': return a.v >= -(2n ** 63n) && a.v < 2n ** 63n ? 'int' : '*big.Int';
    case 'float': return 'float64';
    case 'string': return 'string';
    case 'value': return a.type;
  }
}

/** `%v` text of an operand. */
function plain(a: GoArg): string {
  switch (a.t) {
    case 'int': return a.v.toString();
    case 'float': return formatG(a.v, -1, false);
    case 'string': return a.v;
    case 'value': return regoText(a.v);
  }
}

function pad(s: string, spec: Spec, numeric: boolean): string {
  const len = [...s].length;
  if (spec.width < 0 || len >= spec.width) return s;
  const fill = spec.width - len;
  if (spec.minus) return s + ' '.repeat(fill);
  if (spec.zero && numeric) {
    const sign = s[0] === '-' || s[0] === '+' || s[0] === ' ' ? s[0] : '';
    return sign + '0'.repeat(fill) + s.slice(sign.length);
  }
  return ' '.repeat(fill) + s;
}

function bad(verb: string, a: GoArg): string {
  return `%!${verb}(${goTypeName(a)}=${plain(a)})`;
}

function signed(s: string, negative: boolean, spec: Spec): string {
  if (negative) return '-' + s;
  if (spec.plus) return '+' + s;
  if (spec.space) return ' ' + s;
  return s;
}

function formatInt(verb: string, spec: Spec, v: bigint): string | undefined {
  const neg = v < 0n;
  const abs = neg ? -v : v;
  let digits: string;
  switch (verb) {
    case 'd': case 'v': digits = abs.toString(10); break;
    case 'b': digits = abs.toString(2); break;
    case 'o': digits = abs.toString(8); if (spec.sharp) digits = '0' + digits; break;
    case 'O': digits = '0o' + abs.toString(8); break;
    case 'x': digits = abs.toString(16); if (spec.sharp) digits = '0x' + digits; break;
    case 'X': digits = abs.toString(16).toUpperCase(); if (spec.sharp) digits = '0X' + digits; break;
    case 'c': return pad(String.fromCodePoint(Number(v) >= 0 && Number(v) <= 0x10ffff ? Number(v) : 0xfffd), spec, false);
    case 'q': return pad("'" + String.fromCodePoint(Number(v) >= 0 && Number(v) <= 0x10ffff ? Number(v) : 0xfffd) + "'", spec, false);
    case 'U': return pad('U+' + abs.toString(16).toUpperCase().padStart(4, '0'), spec, false);
    default: return undefined;
  }
  if (spec.prec >= 0) digits = digits.padStart(spec.prec, '0');
  return pad(signed(digits, neg, spec), spec, spec.prec < 0);
}

/** Go's exponent form: at least two exponent digits (`1e+06`). */
function goExp(mantissa: string, exp: number, upper: boolean): string {
  const e = Math.abs(exp).toString().padStart(2, '0');
  return mantissa + (upper ? 'E' : 'e') + (exp < 0 ? '-' : '+') + e;
}

/** Splits `toExponential` output into digits (no dot) and a decimal exponent. */
function expParts(x: number, fractionDigits?: number): { digits: string; exp: number } {
  const s = fractionDigits === undefined ? x.toExponential() : x.toExponential(fractionDigits);
  const e = s.indexOf('e');
  return { digits: s.slice(0, e).replace('.', ''), exp: Number(s.slice(e + 1)) };
}

function formatE(x: number, prec: number, upper: boolean): string {
  const { digits, exp } = expParts(x, prec < 0 ? undefined : prec);
  const m = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
  return goExp(m, exp, upper);
}

function formatF(x: number, prec: number): string {
  const p = prec < 0 ? 6 : prec;
  if (Math.abs(x) < 1e21) return x.toFixed(p);
  return BigInt(x).toString() + (p > 0 ? '.' + '0'.repeat(p) : '');
}

/** `%g`: shortest (prec < 0) or `prec` significant digits; exponent form outside [-4, eprec). */
function formatG(x: number, prec: number, upper: boolean): string {
  if (x === 0) return '0';
  let { digits, exp } = prec < 0 ? expParts(x) : expParts(x, Math.max(prec, 1) - 1);
  digits = digits.replace(/0+$/, '') || '0';
  let eprec = prec < 0 ? 6 : Math.max(prec, 1);
  if (prec >= 0 && eprec > digits.length && digits.length >= exp + 1) eprec = digits.length;
  if (prec < 0) eprec = 6;
  if (exp < -4 || exp >= eprec) {
    const m = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
    return goExp(m, exp, upper);
  }
  if (exp >= digits.length - 1) return digits + '0'.repeat(exp - digits.length + 1);
  if (exp >= 0) return digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
  return '0.' + '0'.repeat(-exp - 1) + digits;
}

function formatFloat(verb: string, spec: Spec, x: number): string | undefined {
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  let s: string;
  switch (verb) {
    case 'v': case 'g': s = formatG(a, spec.prec, false); break;
    case 'G': s = formatG(a, spec.prec, true); break;
    case 'e': s = formatE(a, spec.prec < 0 ? 6 : spec.prec, false); break;
    case 'E': s = formatE(a, spec.prec < 0 ? 6 : spec.prec, true); break;
    case 'f': case 'F': s = formatF(a, spec.prec); break;
    default: return undefined;
  }
  return pad(signed(s, neg, spec), spec, true);
}

function hexOf(s: string, upper: boolean): string {
  let h = Buffer.from(s, 'utf8').toString('hex');
  if (upper) h = h.toUpperCase();
  return h;
}

function formatString(verb: string, spec: Spec, s: string): string | undefined {
  switch (verb) {
    case 'v': case 's': {
      const t = spec.prec >= 0 ? [...s].slice(0, spec.prec).join('') : s;
      return pad(t, spec, false);
    }
    case 'q': return pad(spec.sharp && !s.includes('`') ? '`' + s + '`' : goQuote(s), spec, false);
    case 'x': return pad(hexOf(s, false), spec, false);
    case 'X': return pad(hexOf(s, true), spec, false);
    default: return undefined;
  }
}

function formatArg(verb: string, spec: Spec, a: GoArg): string {
  let r: string | undefined;
  switch (a.t) {
    case 'int':
      // big.Int formats `%s` and `%v` as decimal; machine ints do not accept `%s`.
      if (verb === 's' && goTypeName(a) === '*big.Int') r = formatInt('d', spec, a.v);
      else r = formatInt(verb, spec, a.v);
      break;
    case 'float': r = formatFloat(verb, spec, a.v); break;
    case 'string': r = formatString(verb, spec, a.v); break;
    case 'value': r = verb === 'v' || verb === 's' || verb === 'q' || verb === 'x' || verb === 'X' ? formatString(verb, spec, regoText(a.v)) : undefined; break;
  }
  return r ?? bad(verb, a);
}

/**
 * Text of one `{expr}` part of a template string (`$"..."`): strings as they are, an undefined
 * part as `<undefined>`, anything else in Rego syntax (`[1, "a"]`, `set()`).
 */
export function templatePartText(v: Value | undefined): string {
  if (v === undefined) return '<undefined>';
  return typeof v === 'string' ? v : regoText(v);
}
