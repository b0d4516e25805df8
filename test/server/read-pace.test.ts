import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUSY_BYTES_PER_MS, BUSY_READ_MS, IDLE_AFTER_MS, ReadPace } from '../../server/audit/read-pace.js';

test('the writer thread reads every flush interval, sooner while records come fast, and waits for a record once idle', () => {
  const pace = new ReadPace(20);
  assert.equal(pace.next(), 20, 'the first read comes after a flush interval');
  pace.read(BUSY_BYTES_PER_MS * 20 - 1);
  assert.equal(pace.next(), 20, 'records slower than the busy rate keep the interval');
  pace.read(BUSY_BYTES_PER_MS * 20);
  assert.equal(pace.next(), BUSY_READ_MS, 'at the busy rate the next read comes sooner');
  pace.read(BUSY_BYTES_PER_MS * BUSY_READ_MS);
  assert.equal(pace.next(), BUSY_READ_MS, 'the same rate over the shorter wait keeps the pace');
  pace.read(BUSY_BYTES_PER_MS * BUSY_READ_MS - 1);
  assert.equal(pace.next(), 20, 'back to the interval once the rate drops');
  // Empty reads for IDLE_AFTER_MS: then the next record, not a timer, ends the wait.
  const emptyReadsToIdle = Math.ceil(IDLE_AFTER_MS / 20);
  for (let i = 1; i < emptyReadsToIdle; i++) {
    pace.read(0);
    assert.equal(pace.next(), 20);
  }
  pace.read(0);
  assert.equal(pace.next(), undefined);
  pace.read(BUSY_BYTES_PER_MS * 1000);
  assert.equal(pace.next(), 20, 'the first read after an idle spell keeps the interval, however much it found');
});

test('the writer thread never waits longer than the flush interval while records come', () => {
  const pace = new ReadPace(2);
  pace.next();
  pace.read(BUSY_BYTES_PER_MS * 2);
  assert.equal(pace.next(), 2);
  const idleAfterOne = new ReadPace(IDLE_AFTER_MS * 2);
  idleAfterOne.next();
  idleAfterOne.read(0);
  assert.equal(idleAfterOne.next(), undefined, 'an interval past the idle time goes idle after one empty read');
});
