/** Shared helpers for the time/net/crypto/jwt builtin tables. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BUILTIN_IMPLS } from '../../engine/builtins/registry.js';
import { BuiltinError, type BuiltinContext } from '../../engine/builtins/types.js';
import { PolSet, equal, normBig, toJSON, type Value } from '../../engine/value.js';

/** 2023-11-14T22:13:20Z: the clock every table runs with. */
export const NOW_NS = 1_700_000_000_000_000_000n;

export function context(nowNs: bigint = NOW_NS): BuiltinContext {
  return { nowNs: () => nowNs, memo: new Map(), print: () => {}, host: {} };
}

export function call(name: string, args: Value[], ctx: BuiltinContext = context()): Value | undefined {
  const impl = BUILTIN_IMPLS[name];
  assert.ok(impl, `no implementation for ${name}`);
  return impl(args, ctx);
}

/** Fixture JSON to values: `{"$big": "…"}` is an exact integer, `{"$set": […]}` a set. */
export function revive(v: unknown): Value {
  if (Array.isArray(v)) return v.map(revive);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o['$big'] === 'string' && Object.keys(o).length === 1) return normBig(BigInt(o['$big']));
    if (Array.isArray(o['$set']) && Object.keys(o).length === 1) return new PolSet(o['$set'].map(revive));
    const out: Record<string, Value> = {};
    for (const k of Object.keys(o)) out[k] = revive(o[k]);
    return out;
  }
  return v as Value;
}

/** Asserts a builtin result equals an expected JSON value (sets compare as sorted arrays). */
export function assertResult(actual: Value | undefined, expected: Value, note: string): void {
  assert.notEqual(actual, undefined, `${note}: undefined result`);
  const a = toJSON(actual!) as Value, e = toJSON(expected) as Value;
  assert.ok(equal(a, e), `${note}: got ${JSON.stringify(a, big)} want ${JSON.stringify(e, big)}`);
}
const big = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

/** Asserts a builtin call fails with a BuiltinError carrying `text` and `code`. */
export function assertError(f: () => unknown, text: string, code = 'eval_builtin_error', note = text): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof BuiltinError, `${note}: not a BuiltinError: ${String(e)}`);
    assert.ok(e.message.includes(text), `${note}: message ${JSON.stringify(e.message)} lacks ${JSON.stringify(text)}`);
    assert.equal(e.code, code, `${note}: code`);
    return true;
  });
}

export function loadFixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../../test/builtins-b/fixtures/${name}`, import.meta.url), 'utf8'));
}
