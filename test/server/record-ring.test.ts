import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocateRing, RingReader, RingWriter } from '../../server/audit/record-ring.js';

/** The text of every record written and not yet taken, each followed by its NUL ('' when none). */
function take(reader: RingReader): string {
  let text = '';
  reader.read((bytes, from, to) => { text += bytes.toString('utf8', from, to); });
  return text;
}

/** Records as the reader hands them back: each text followed by its NUL. */
const joined = (texts: string[]) => texts.map(t => `${t}\u0000`).join('');

test('the ring hands back what was written, in order, across the wrap, multi-byte text included', () => {
  const memory = allocateRing(64);
  const writer = new RingWriter(memory, 1 << 20);
  const reader = new RingReader(memory);
  assert.equal(take(reader), '');
  const expected: string[] = [];
  let taken = '';
  // 5-byte records whose room check asks for 3 bytes a unit: the position wraps every few records.
  for (let i = 0; i < 200; i++) {
    const text = i % 5 === 0 ? `é${i % 10}` : `r${String(i).padStart(3, '0')}`;
    if (!writer.write(text)) {
      taken += take(reader);
      assert.equal(writer.used(), 0, 'a take leaves the ring empty');
      assert.equal(writer.write(text), true, 'room again once taken');
    }
    expected.push(text);
    if (i % 7 === 0) taken += take(reader);
  }
  taken += take(reader);
  assert.equal(taken, joined(expected));
});

test('a record goes whole where it fits: before the end, else from the start; a full ring refuses it', () => {
  const memory = allocateRing(64);
  const writer = new RingWriter(memory, 1 << 20);
  const reader = new RingReader(memory);
  const x = 'x'.repeat(10), z = 'zzz';
  // Room is asked for at 3 bytes a unit: 31 bytes for 10 units, of which 11 are used.
  assert.equal(writer.write(x), true);
  assert.equal(writer.write(x), true);
  assert.equal(writer.used(), 22);
  assert.equal(take(reader), joined([x, x]));
  assert.equal(writer.write(x), true);
  assert.equal(writer.write(x), true);
  // 20 bytes left before the end and 21 before the reader: too little for another.
  assert.equal(writer.write(x), false);
  assert.equal(writer.used(), 22);
  // Small ones fit before the end, then one goes to the start.
  for (let i = 0; i < 3; i++) assert.equal(writer.write(z), true);
  assert.equal(writer.write(z), true);
  assert.equal(writer.used(), 22 + 4 * 4);
  assert.equal(take(reader), joined([x, x, z, z, z, z]));
  assert.equal(writer.used(), 0);
  // Never more than the ring holds, however empty it is.
  assert.equal(writer.write('x'.repeat(30)), false);
  // A read answers how many bytes it handed over.
  assert.equal(writer.write(z), true);
  let handed = 0;
  assert.equal(reader.read((_, from, to) => { handed += to - from; }), 4);
  assert.equal(handed, 4);
  assert.equal(reader.read(() => { handed = -1; }), 0, 'nothing to read: 0, and nothing handed over');
  assert.equal(handed, 4);
});

test('a waiting reader is woken by the first record when idle, and only by a full enough ring when timed', async () => {
  const memory = allocateRing(1024);
  const writer = new RingWriter(memory, 64);
  const reader = new RingReader(memory);
  const idle = reader.wait(undefined, 64);
  writer.write('a');
  assert.equal(await Promise.race([idle.then(() => 'woken'), new Promise(r => setTimeout(() => r('not woken'), 2_000))]), 'woken');
  reader.awake();
  take(reader);
  const timed = reader.wait(10_000, 64);
  let state = 'waiting';
  void timed.then(() => { state = 'woken'; });
  writer.write('b');
  await new Promise(r => setTimeout(r, 100));
  assert.equal(state, 'waiting', 'one small record does not end a timed wait');
  // Past the wake point (checked every 1/16 of it): the wait ends.
  for (let i = 0; i < 10; i++) writer.write('c'.repeat(10));
  await Promise.race([timed, new Promise(r => setTimeout(r, 2_000))]);
  assert.equal(state, 'woken');
  // Already holding enough: a timed wait ends at once.
  const again = reader.wait(10_000, 64);
  assert.equal(await Promise.race([again.then(() => 'at once'), new Promise(r => setTimeout(() => r('waited'), 1_000))]), 'at once');
});
