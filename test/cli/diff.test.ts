import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unifiedDiff } from '../../cli/diff.js';

test('equal texts give no diff', () => {
  assert.equal(unifiedDiff('f', 'a\nb\n', 'a\nb\n'), '');
});

test('a changed line gives one hunk with context', () => {
  const before = ['1', '2', '3', '4', '5', '6', '7', '8'].join('\n') + '\n';
  const after = ['1', '2', '3', '4x', '5', '6', '7', '8'].join('\n') + '\n';
  assert.equal(unifiedDiff('f.pol', before, after), [
    '--- f.pol', '+++ f.pol (formatted)', '@@ -1,7 +1,7 @@', ' 1', ' 2', ' 3', '-4', '+4x', ' 5', ' 6', ' 7', '',
  ].join('\n'));
});

test('distant changes give separate hunks; inserted lines count only on the new side', () => {
  const before = Array.from({ length: 20 }, (_, i) => `l${i}`);
  const after = [...before];
  after.splice(1, 0, 'new');
  after[18] = 'changed';
  const d = unifiedDiff('f', before.join('\n') + '\n', after.join('\n') + '\n');
  const hunks = d.split('\n').filter(l => l.startsWith('@@'));
  assert.deepEqual(hunks, ['@@ -1,4 +1,5 @@', '@@ -15,6 +16,6 @@']);
});
