import { test } from 'node:test';
import { check, set } from './helpers.js';

test('walk enumerates [path, value] pairs pre-order', () => {
  check('walk', [
    { args: [1], want: [[[], 1]] },
    { args: [[1, 2]], want: [[[], [1, 2]], [[0], 1], [[1], 2]] },
    { args: [{ b: 'x', a: 'y' }], want: [[[], { b: 'x', a: 'y' }], [['a'], 'y'], [['b'], 'x']] },
    { args: [set(set(1))], want: [[[], set(set(1))], [[set(1)], set(1)], [[set(1), 1], 1]] },
  ]);
});

test('graph.reachable', () => {
  check('graph.reachable', [
    { args: [{}, set('a')], want: set() },
    { args: [{ a: set('b'), b: set('c'), c: set('a') }, set('a')], want: set('a', 'b', 'c') },
    { args: [{ a: set('b', 'c'), b: set('d'), c: set('d'), d: set(), e: set('f'), f: set('e'), x: set('x') }, set('b', 'e')], want: set('b', 'd', 'e', 'f') },
    { args: [{ a: ['b'], b: ['c'], c: ['a'] }, ['a']], want: set('a', 'b', 'c') },
    { args: [{ a: null }, ['a']], want: set('a') },
    { args: [1, ['a']], error: 'eval_type_error' },
    { args: [{ a: [] }, 'a'], error: 'eval_type_error' },
  ]);
});

test('graph.reachable_paths', () => {
  check('graph.reachable_paths', [
    { args: [{}, set('a')], want: set() },
    { args: [{ a: set('b'), b: set('c'), c: set('a') }, set('a')], want: set(['a', 'b', 'c']) },
    { args: [{ a: ['b', 'c'], b: ['c'], c: [] }, set('a')], want: set(['a', 'b', 'c'], ['a', 'c']) },
    { args: [{ a: ['b'], b: ['nonexistent'] }, set('a', 'b')], want: set(['a', 'b'], ['b']) },
    {
      args: [{ one: ['two', 'five'], two: ['four'], three: [''], four: ['three'], five: ['seven', 'six'], six: ['nine', 'seven'], seven: ['eight'], eight: ['three'], nine: [''] }, set('one')],
      want: set(['one', 'five', 'seven', 'eight', 'three'], ['one', 'five', 'six'], ['one', 'five', 'six', 'nine'], ['one', 'two', 'four', 'three']),
    },
  ]);
});
