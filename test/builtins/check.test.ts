import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T, type BuiltinDecl } from '../../dsl/builtins/types.js';
import { checkedImpl, operandChecker, withChecks } from '../../engine/builtins/check.js';
import { BuiltinError } from '../../engine/builtins/types.js';
import { PolSet } from '../../engine/value.js';
import { ctx } from './helpers.js';

const decl = (args: BuiltinDecl['args']): BuiltinDecl => ({ name: 'demo.fn', category: 'test', args, result: T.any, description: 'test' });

test('operandChecker words errors as OPA', () => {
  const check = operandChecker(decl([{ name: 'a', type: T.str }, { name: 'b', type: T.or(T.arr(T.str), T.set(T.str)) }]))!;
  check(['x', ['y']]);
  check(['x', new PolSet(['y'])]);
  assert.throws(() => check([1, []]), (e: unknown) => e instanceof BuiltinError && e.code === 'eval_type_error' && e.message === 'demo.fn: operand 1 must be string but got number');
  assert.throws(() => check(['x', {}]), { message: 'demo.fn: operand 2 must be one of {array, set} but got object' });
  assert.throws(() => check(['x', ['y', 2]]), { message: 'demo.fn: operand 2 must be array of strings but got array containing number' });
});

test('any-typed declarations need no checker and keep the implementation as is', () => {
  assert.equal(operandChecker(decl([{ name: 'a', type: T.any }])), undefined);
  const impl = () => 1;
  assert.equal(checkedImpl(decl([{ name: 'a', type: T.any }]), impl), impl);
});

test('withChecks refuses implementations without a declaration', () => {
  assert.throws(() => withChecks([], { 'no.decl': () => 1 }), /not declared/);
  const impls = withChecks([decl([{ name: 'a', type: T.num }])], { 'demo.fn': ([a]) => a });
  assert.equal(impls['demo.fn']!([2], ctx), 2);
  assert.throws(() => impls['demo.fn']!(['2'], ctx), BuiltinError);
});
