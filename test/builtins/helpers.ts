/** Direct calls into the builtin registry, for table-driven tests of implementations. */
import assert from 'node:assert/strict';
import { BUILTIN_IMPLS } from '../../engine/builtins/registry.js';
import { BuiltinError, type BuiltinContext } from '../../engine/builtins/types.js';
import { equal, PolObject, PolSet, type Value } from '../../engine/value.js';
import { serializeJson } from '../../engine/json.js';

export const ctx: BuiltinContext = {
  nowNs: () => 0n,
  memo: new Map(),
  print: () => {},
  host: {},
};

export function call(name: string, ...args: Value[]): Value | undefined {
  const impl = BUILTIN_IMPLS[name];
  assert.ok(impl, `no implementation for ${name}`);
  return impl(args, ctx);
}

export const set = (...xs: Value[]): PolSet => new PolSet(xs);
export const obj = (...entries: [Value, Value][]): PolObject => new PolObject(entries);

/** A result row: args → value (deep equal by `equal`), `undefined`, or an error. */
export type Row =
  | { note?: string; args: Value[]; want: Value | undefined }
  | { note?: string; args: Value[]; error: 'eval_type_error' | 'eval_builtin_error'; message?: string };

export function check(name: string, rows: Row[]): void {
  for (const row of rows) {
    const label = `${name}(${row.args.map(a => serializeJson(a)).join(', ')})${row.note ? ' — ' + row.note : ''}`;
    if ('error' in row) {
      let thrown: unknown;
      try { call(name, ...row.args); } catch (e) { thrown = e; }
      assert.ok(thrown instanceof BuiltinError, `${label}: expected a BuiltinError, got ${String(thrown)}`);
      assert.equal(thrown.code, row.error, `${label}: code`);
      if (row.message !== undefined) assert.equal(thrown.message, row.message, `${label}: message`);
      continue;
    }
    const got = call(name, ...row.args);
    if (row.want === undefined) {
      assert.equal(got, undefined, `${label}: want undefined, got ${got === undefined ? 'undefined' : serializeJson(got)}`);
    } else {
      assert.ok(got !== undefined && equal(got, row.want), `${label}: want ${serializeJson(row.want)}, got ${got === undefined ? 'undefined' : serializeJson(got)}`);
    }
  }
}
