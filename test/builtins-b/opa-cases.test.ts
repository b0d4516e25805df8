/**
 * Every OPA conformance case of the time, net, crypto and jwt topics that calls one builtin with
 * literal operands, replayed directly against the implementation (fixtures/extract.py derives
 * them from the case files; the rest are covered by the hand-written tables).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, assertResult, call, loadFixture, revive } from './helpers.js';

interface Row { note: string; id: string; builtin: string; args: unknown[]; want?: unknown; error?: string; code?: string }

const rows = loadFixture('opa-calls.json') as Row[];

test('fixture is not empty', () => { assert.ok(rows.length > 200); });

for (const row of rows) {
  test(`${row.id} ${row.note}`, () => {
    const args = row.args.map(revive);
    if (row.error !== undefined) {
      // Some cases spell the whole error (`code: message`); the message part is what a builtin throws.
      const text = row.code && row.error.startsWith(`${row.code}: `) ? row.error.slice(row.code.length + 2) : row.error;
      assertError(() => call(row.builtin, args), text, row.code, row.note);
    } else {
      assertResult(call(row.builtin, args), revive(row.want), row.note);
    }
  });
}
