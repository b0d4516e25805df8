/**
 * quoteJsonString (engine/value.ts) quotes short strings with a loop and long ones with a regular
 * expression, and hands anything that needs escaping to JSON.stringify: both paths must give
 * exactly JSON.stringify's text, whatever the length and wherever the character that needs care.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quoteJsonString } from '../../engine/value.js';

const SPECIAL = ['"', '\\', '\n', '\r', '\t', '\u0000', '\u001f', '\ud83d\ude00', '\ud800', '\udfff', '\udc00\ud800'];
const PLAIN = ['a', 'é', ' ', '~', '\u007f', '\u2028', '\u00ff', '中', '\ue000', '\uffff'];

test('every length around the switch from loop to expression, every special character at every position', () => {
  let checked = 0;
  for (let len = 0; len <= 40; len++) {
    const base = Array.from({ length: len }, (_, i) => PLAIN[i % PLAIN.length]).join('');
    assert.equal(quoteJsonString(base), JSON.stringify(base), `plain, length ${len}`);
    for (const ch of SPECIAL) {
      for (let at = 0; at < len; at++) {
        const s = base.slice(0, at) + ch + base.slice(at + 1);
        assert.equal(quoteJsonString(s), JSON.stringify(s), `${JSON.stringify(ch)} at ${at} of ${len}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 8000);
});

test('long strings: a decision id, a bearer token, a long text with one quote at its end', () => {
  for (const s of ['7cd923e9-2ab9-432e-b66c-759431fe1c61', 'Bearer ' + 'x'.repeat(500), 'y'.repeat(10_000) + '"']) {
    assert.equal(quoteJsonString(s), JSON.stringify(s));
  }
});
