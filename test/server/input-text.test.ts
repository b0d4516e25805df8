/**
 * The decision log copies a request's JSON text into the line when the text already is what
 * parsing and writing it back would give (`copyableInput`). Checked against the slow way (parse,
 * mask, serialise) on chosen edge cases and on generated texts: a copy must always equal it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJson } from '../../engine/json.js';
import type { Value } from '../../engine/index.js';
import { copyableInput } from '../../server/audit/input-text.js';
import { LineFormatter, type LineParts } from '../../server/audit/line-format.js';
import type { MaskNode } from '../../server/audit/mask-tree.js';

const MASK = ['/input/request/headers/authorization', '/input/password'];

/** The input mask tree the formatter builds (private: read for the test). */
function maskOf(formatter: LineFormatter): MaskNode | undefined {
  return (formatter as unknown as { inputMask: MaskNode | undefined }).inputMask;
}

function parts(over: Partial<LineParts>): LineParts {
  return { time: 0, head: ',"decision_id":"1"', inputKind: '', inputText: '', inputErased: '', hasValues: false, inputValue: undefined, resultJson: 'true', resultValue: undefined, tail: ',"cached":false', error: '', ...over };
}

/** The line's input made the slow way: from the parsed value, masks applied while serialising. */
function slowLine(f: LineFormatter, text: string, member: boolean): string {
  const parsed = parseJson(text);
  let input: Value | undefined = parsed;
  if (member) input = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Object.prototype.hasOwnProperty.call(parsed, 'input') ? (parsed as Record<string, Value>).input : undefined;
  return f.line(parts({ inputKind: input === undefined ? '' : 'v', inputValue: input, hasValues: true }));
}

/** Checks one text: a copy equals the slow way's input, and the line from the text equals the slow line. */
function check(f: LineFormatter, text: string, member: boolean): boolean {
  const copied = copyableInput(text, member, maskOf(f));
  const slow = slowLine(f, text, member);
  assert.equal(f.line(parts({ inputKind: member ? 'm' : 'w', inputText: text })), slow, text);
  if (copied === undefined) return false;
  assert.equal(f.line(parts({ inputKind: 'x', inputText: copied })), slow, `copied ${text}`);
  assert.ok(slow.includes(`"input":${copied},`), `copy of ${text} is ${copied}, slow line ${slow}`);
  return true;
}

test('texts already in written form are copied; anything writing would change is not', () => {
  const f = new LineFormatter(MASK);
  const copied = [
    '{"user":"bob","n":-12,"x":0.5,"z":0,"ok":true,"none":null,"list":[1,"a",{"b":[]}],"e":{}}',
    '{"s":"quote \\" backslash \\\\ newline \\n tab \\t","u":"ünïcode € \u2028"}',
    '{"__proto__":{"polluted":true},"constructor":1}',
    '{"authorization":"top level is not masked","request":{"headers":{"accept":"json"}}}',
    '{"request":[{"headers":{"authorization":"masks do not reach into arrays"}}]}',
    '[1,2,3]', '"just a string"', '42', 'true', '{"-1":"not an index"}',
    // Keys of one length that differ, and the same key in different objects, are no repeats.
    '{"ab":1,"ac":2,"ba":3,"a":{"ab":1},"b":{"a":2,"ab":3,"b":[{"ab":4,"ba":5}]}}',
  ];
  for (const text of copied) assert.ok(check(f, text, false), `copied: ${text}`);
  const slow = [
    '{"a": 1}', '{"a":1,"a":2}', '{"b":1,"1":2}', '{"s":"\\u0041"}', '{"s":"\\/"}', '{"n":1.0}', '{"n":1e5}', '{"n":-0}',
    '{"n":12345678901234567}', '{"n":0.1000000000000000055}', '{"s":"😀"}', '{"password":"x"}', '{"request":{"headers":{"authorization":"x"}}}',
    '{"k\\"ey":1}', '[1, 2]', '{"ab":1,"ab":2}', '{"x":{"k":1,"y":[],"k":2}}', '{"a":{"b":1},"c":2,"a":3}',
    // A repeat past the keys compared one by one (a set then), and a repeat of the nine before it.
    '{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"a":11}', '{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"i":10}',
  ];
  for (const text of slow) assert.equal(check(f, text, false), false, `not copied: ${text}`);
  // Masked names are matched in the text's bytes: header names in any case, others exactly.
  for (const text of ['{"request":{"headers":{"AUTHORIZATION":"x"}}}', '{"request":{"headers":{"AuThOrIzAtIoN":"x"}}}']) {
    assert.equal(check(f, text, false), false, `masked header: ${text}`);
  }
  for (const text of ['{"Password":"x"}', '{"passwor":"x","passwordx":"y"}', '{"request":{"Headers":{"authorization":"x"}}}',
    '{"request":{"headers":{"authorizatioñ":"x","authorİzation":"y","accept":"z"}}}']) {
    assert.ok(check(f, text, false), `not masked: ${text}`);
  }
  // Space around the whole text is no part of the input.
  assert.ok(check(f, '  {"a":1}\n', false));
});

test('a request\'s `input` member is copied from the body around it', () => {
  const f = new LineFormatter(MASK);
  assert.ok(check(f, '{"path":"rbac/allow","input":{"user":"bob"},"explain":false}', true));
  assert.ok(check(f, '{ "input" : {"user":"bob"} , "path" : "p" }', true), 'space at the top level');
  assert.equal(copyableInput('{"input":{"user":"bob"}}', true, undefined), '{"user":"bob"}');
  assert.equal(copyableInput('{"inpux":1,"inputs":2,"input":{"user":"bob"}}', true, undefined), '{"user":"bob"}');
  assert.equal(copyableInput('{"inputs":{"user":"bob"}}', true, undefined), undefined, 'no `input` member');
  for (const text of ['{"input":1,"input":2}', '{"path":"p"}', '{}', '[1]', '{"input":{"a": 1}}', '{"\\u0069nput":1}']) {
    assert.equal(check(f, text, true), false, text);
  }
  // A mask on the whole input: never copied.
  assert.equal(copyableInput('{"input":{"a":1}}', true, maskOf(new LineFormatter(['/input']))), undefined);
});

test('generated texts: every copy equals the slow way, and most plain texts are copied', () => {
  const f = new LineFormatter(MASK);
  let seed = 12345;
  const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const keys = ['a', 'b', 'user', 'request', 'headers', 'Authorization', 'authorization', 'password', '1', '__proto__', 'ü', 'k"q', '😀', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
  const strings = ['', 'x', 'a"b', 'back\\slash', 'line\nbreak', '\u0001', 'é€', '😀', '</script>', '\u2028'];
  const numbers = [0, 1, -1, 42, 0.5, -2.25, 1e21, 1e-7, 123456789012345, 2 ** 53, 0.1 + 0.2];
  const value = (depth: number): unknown => {
    const k = rand(depth > 3 ? 4 : 7);
    if (k === 0) return strings[rand(strings.length)];
    if (k === 1) return numbers[rand(numbers.length)];
    if (k === 2) return [true, false, null][rand(3)];
    if (k === 3) return rand(100);
    if (k === 4) return Array.from({ length: rand(4) }, () => value(depth + 1));
    const o: Record<string, unknown> = {};
    // Some objects have more keys than are compared one by one.
    for (let i = rand(k === 5 ? 12 : 5); i > 0; i--) Object.defineProperty(o, keys[rand(keys.length)]!, { value: value(depth + 1), enumerable: true, configurable: true, writable: true });
    return o;
  };
  let copiedCount = 0;
  const total = 3000;
  for (let i = 0; i < total; i++) {
    const v = value(0);
    let text = JSON.stringify(v);
    // Some texts get a repeated key or a space: never copied, still logged right.
    if (i % 10 === 0) text = text.replace(/\{"(\w+)":/, '{"$1":0,"$1":');
    if (i % 10 === 1) text = text.replace(':', ': ');
    if (check(f, text, false)) copiedCount++;
    check(f, `{"path":"p","input":${text}}`, true);
  }
  assert.ok(copiedCount > total / 4, `${copiedCount} of ${total} copied`);
});
