/**
 * internKey (engine/eval/intern.ts) must hand back an internalized string, or every property
 * load with a policy's keys falls off V8's inline caches. Checked with V8's own debug print in a
 * child process, so a Node upgrade that changes this shows here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { internKey } from '../../engine/eval/intern.js';

test('internKey returns an equal, internalized string', () => {
  const url = new URL('../../engine/eval/intern.js', import.meta.url).href;
  const script = `
    const { internKey } = await import(${JSON.stringify(url)});
    const text = 'package p allow if input.clearance_level >= 2';
    const sliced = text.slice(text.indexOf('clearance'), text.indexOf(' >='));
    %DebugPrint(sliced);
    %DebugPrint(internKey(sliced));
  `;
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const types = [...r.stdout.matchAll(/- type: (\w+)/g)].map(m => m[1]);
  assert.equal(types.length, 2, r.stdout);
  assert.ok(!types[0]!.includes('INTERNALIZED'), `the sliced key should start out not internalized: ${types[0]}`);
  assert.ok(types[1]!.includes('INTERNALIZED'), `internKey should internalize: ${types[1]}`);
});

test('internKey keeps every key as it was, including ones objects treat specially', () => {
  for (const k of ['a', '', '__proto__', 'constructor', '0', '12', '-1', '1.5', 'ключ', '\u0000x', 'x'.repeat(300)]) {
    const fresh = (' ' + k).slice(1);
    assert.equal(internKey(fresh), k);
  }
});

test('internKey hands back the interned copy again for a key it has seen', () => {
  const url = new URL('../../engine/eval/intern.js', import.meta.url).href;
  const script = `
    const { internKey } = await import(${JSON.stringify(url)});
    const text = 'package p allow if input.department_name == "x"';
    const slice = () => text.slice(text.indexOf('department'), text.indexOf(' =='));
    internKey(slice());
    %DebugPrint(internKey(slice()));
  `;
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const types = [...r.stdout.matchAll(/- type: (\w+)/g)].map(m => m[1]);
  assert.equal(types.length, 1, r.stdout);
  assert.ok(types[0]!.includes('INTERNALIZED'), `a remembered key should come back internalized: ${types[0]}`);
});
