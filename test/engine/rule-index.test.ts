/** Rule indexing must never change an answer: indexed and unindexed evaluation agree. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from '../../engine/index.js';

const actions = ['read', 'write', 'delete'];

function policy(n: number, extra = ''): string {
  const rules: string[] = ['package big', 'default allow := false'];
  for (let i = 0; i < n; i++) {
    rules.push(`allow if {\n\tinput.role == "r${i % 97}"\n\tinput.action == "${actions[i % 3]}"\n\tinput.resource == "res${i}"\n}`);
  }
  rules.push(extra);
  return rules.join('\n\n');
}

/** What the policy means, written directly. */
function expected(n: number, input: { role: string; action: string; resource: string }, anyAdmin = false): boolean {
  if (anyAdmin && input.role === 'admin') return true;
  for (let i = 0; i < n; i++) {
    if (input.role === `r${i % 97}` && input.action === actions[i % 3] && input.resource === `res${i}`) return true;
  }
  return false;
}

test('an indexed 2,000-rule policy answers exactly like the rules say', () => {
  const n = 2000;
  const allow = compile({ modules: { 'big.pol': policy(n, 'allow if input.role == "admin"\n\nallow if { input.level > 9 }') } }).entrypoint('big/allow');
  let allowed = 0;
  for (let i = 0; i < 3000; i++) {
    const input = { role: i % 50 === 0 ? 'admin' : `r${(i * 7) % 101}`, action: actions[(i * 5) % 3]!, resource: `res${(i * 13) % 2100}` };
    const want = expected(n, input, true);
    assert.equal(allow.evaluate(input), want, JSON.stringify(input));
    if (want) allowed++;
  }
  assert.ok(allowed > 60, 'the sample must contain allowed requests');
  // Rules without indexable conditions still apply to every input.
  assert.equal(allow.evaluate({ role: 'nobody', action: 'read', resource: 'x', level: 10 }), true);
  // Missing or non-scalar input values select no indexed rule but keep the others.
  assert.equal(allow.evaluate({ action: 'read' }), false);
  assert.equal(allow.evaluate({ role: ['r1'], action: 'read', resource: 'res1' }), false);
});

test('membership conditions, else chains and with are indexed safely', () => {
  const rules = ['package m'];
  for (let i = 0; i < 30; i++) rules.push(`tier := "t${i}" if input.plan in {"p${i}", "q${i}"}`);
  rules.push('tier := "fallback" if { input.plan == "p3"; false } else := "else" if input.plan == "z"');
  rules.push('via_with := t if t := tier with input.plan as "q7"');
  const p = compile({ modules: { 'm.pol': rules.join('\n\n') } });
  assert.equal(p.evaluate('m/tier', { plan: 'p5' }), 't5');
  assert.equal(p.evaluate('m/tier', { plan: 'q29' }), 't29');
  assert.equal(p.evaluate('m/tier', { plan: 'z' }), 'else');
  assert.equal(p.evaluate('m/tier', { plan: 'nope' }), undefined);
  assert.equal(p.evaluate('m/via_with', { plan: 'p1' }), 't7');
});

test('conflicts are still reported through the index', () => {
  const rules = ['package c'];
  for (let i = 0; i < 20; i++) rules.push(`v := ${i} if input.k == "k${i}"`);
  rules.push('v := 99 if input.k == "k3"');
  const p = compile({ modules: { 'c.pol': rules.join('\n\n') } });
  assert.equal(p.evaluate('c/v', { k: 'k4' }), 4);
  assert.throws(() => p.evaluate('c/v', { k: 'k3' }), (e: { code?: string }) => e.code === 'eval_conflict_error');
});
