/** `compileInSlices`: the policy `compile` makes, made a few milliseconds at a time. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile, compileInSlices, PolError } from '../../engine/index.js';
import { countTurns } from '../event-loop-turns.js';

/** One `allow` rule per grant (indexed and templated), a partial set, a function and a package of helpers. */
function bigPolicy(rules: number): Record<string, string> {
  const grants: string[] = [];
  for (let i = 0; i < rules; i++) {
    grants.push(`allow if {\n\tinput.resource == "r${i}"\n\tinput.action == "${i % 2 ? 'read' : 'write'}"\n\t"role${i % 7}" in data.roles[input.user]\n}`);
  }
  return {
    'grants.pol': `package app\n\ndefault allow := false\n\n${grants.join('\n\n')}\n`,
    'extra.pol': `package app\n\nreasons contains "denied" if not allow\n\nlevel(x) := n if n := count(x)\n\nsize := level(data.roles[input.user])\n`,
    // Partial sets and objects, many definitions each (compiled a definition at a time).
    'sets.pol': `package app\n\n${Array.from({ length: rules }, (_, i) => `tags contains "t${i}" if input.resource == "r${i}"\n\nby_resource["r${i}"] := ${i} if input.user\n`).join('\n')}`,
  };
}

const data = { roles: { alice: ['role3', 'role4'], bob: ['role0'] } };
const inputs = [
  { user: 'alice', resource: 'r3', action: 'read' },
  { user: 'alice', resource: 'r4', action: 'read' },
  { user: 'bob', resource: 'r7', action: 'read' },
  { user: 'bob', resource: 'r14', action: 'write' },
  { user: 'carol', resource: 'r1', action: 'read' },
];

test('compileInSlices gives the policy compile gives: same revision, same answers, same cache facts', async () => {
  const modules = bigPolicy(600);
  const whole = compile({ modules, data });
  const sliced = await compileInSlices({ modules, data }, 0);
  assert.equal(sliced.revision, whole.revision);
  for (const path of ['app/allow', 'app/reasons', 'app/size', 'app/tags', 'app/by_resource', 'app']) {
    for (const input of inputs) assert.deepEqual(sliced.evaluate(path, input), whole.evaluate(path, input), `${path} ${JSON.stringify(input)}`);
    const a = whole.entrypoint(path), b = sliced.entrypoint(path);
    assert.deepEqual({ inputPaths: b.inputPaths, cost: b.cost, readsClock: b.readsClock }, { inputPaths: a.inputPaths, cost: a.cost, readsClock: a.readsClock }, path);
  }
  assert.equal(sliced.evaluate('app/allow', inputs[0]), true);
  assert.deepEqual(sliced.evaluate('app/tags', inputs[0]), ['t3']);
  assert.equal((sliced.evaluate('app/by_resource', inputs[0]) as Record<string, number>)['r599'], 599);
  assert.equal(sliced.evaluate('app/allow', inputs[3]), true);
  assert.equal(sliced.evaluate('app/allow', inputs[1]), false);
  assert.equal(sliced.evaluate('app/allow', inputs[4]), false);
});

test('compileInSlices lets other work run between slices', async () => {
  const turns = countTurns();
  let ticks: number;
  try {
    await compileInSlices({ modules: bigPolicy(1500), data }, 0);
  } finally { ticks = turns.stop(); }
  // With slices of (at least) one step, every statement, rule and document leaves room for a tick;
  // a compile that ran in one go would leave none.
  assert.ok(ticks > 100, `only ${ticks} turns of the event loop ran during the compile`);
});

test('compileInSlices rejects as compile throws: parse, check and compile errors keep their codes and places', async () => {
  const broken: Record<string, string>[] = [
    { 'a.pol': 'package a\n\nallow if {\n\tinput.x ==\n}\n' },
    { 'a.pol': 'package a\n\nallow if x == 1\n' },
    { 'a.pol': 'package a\n\np := no_such_function(1)\n' },
    { 'a.pol': 'package a\n\np if q\n\nq if p\n' },
  ];
  for (const modules of broken) {
    let expected: PolError | undefined;
    try { compile({ modules }); } catch (e) { expected = e as PolError; }
    assert.ok(expected instanceof PolError, JSON.stringify(modules));
    await assert.rejects(compileInSlices({ modules }, 0), (e: unknown) => {
      assert.ok(e instanceof PolError);
      assert.equal(e.code, expected!.code);
      assert.equal(e.message, expected!.message);
      assert.deepEqual(e.diagnostics, expected!.diagnostics);
      return true;
    });
  }
});

test('compiles in slices side by side do not disturb each other (the parser and checker keep no state between steps)', async () => {
  const a = bigPolicy(300);
  const b = { 'b.pol': 'package b\n\nallow if input.user in {"alice", "bob"}\n\nnames contains n if some n in data.names\n' };
  const [pa, pb] = await Promise.all([compileInSlices({ modules: a, data }, 0), compileInSlices({ modules: b, data: { names: ['x', 'y'] } }, 0)]);
  assert.equal(pa.revision, compile({ modules: a, data }).revision);
  assert.equal(pb.revision, compile({ modules: b, data: { names: ['x', 'y'] } }).revision);
  assert.equal(pa.evaluate('app/allow', inputs[0]), true);
  assert.deepEqual(pb.evaluate('b/names'), ['x', 'y']);
  assert.equal(pb.evaluate('b/allow', { user: 'bob' }), true);
});

test('prepareExplanations compiles the traced program in slices; explanations are the same, and withData copies share it', async () => {
  const modules = bigPolicy(400);
  const fresh = compile({ modules, data });
  const expected = fresh.entrypoint('app/allow').explain(inputs[0]);
  const p = compile({ modules, data });
  assert.equal(p.explanationsReady, false);
  const turns = countTurns();
  let ticks: number;
  try {
    // Asked while the preparation runs: answered by a traced compiler of its own, the same lines.
    const preparing = p.prepareExplanations(0);
    assert.equal(p.prepareExplanations(0), preparing, 'one preparation at a time');
    assert.deepEqual(p.entrypoint('app/allow').explain(inputs[0]), expected);
    await preparing;
  } finally { ticks = turns.stop(); }
  assert.ok(ticks > 10, `only ${ticks} turns of the event loop ran while explanations were prepared`);
  assert.equal(p.explanationsReady, true);
  assert.deepEqual(p.entrypoint('app/reasons').explain(inputs[4]), fresh.entrypoint('app/reasons').explain(inputs[4]));
  const copy = p.withData({ roles: { carol: ['role1'] } });
  assert.equal(copy.explanationsReady, true);
  const carol = copy.entrypoint('app/allow').explain(inputs[4]);
  assert.equal(carol.result, true);
  assert.deepEqual(carol, fresh.withData({ roles: { carol: ['role1'] } }).entrypoint('app/allow').explain(inputs[4]));
  await p.prepareExplanations();
});
