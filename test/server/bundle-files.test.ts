import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { finish, type Steps } from '../../engine/index.js';
import { decodeUtf8Steps, fileDigestsSteps, fileTextsSteps, sha256Steps } from '../../server/policy-store/bundle-files.js';
import { signBundle, verifyBundle } from '../../server/index.js';
import { seededRandom } from '../seeded-random.js';

/** Runs `steps` to the end, answering its value and how many times it paused. */
function run<T>(steps: Steps<T>): { value: T; pauses: number } {
  let pauses = 0;
  for (;;) {
    const r = steps.next();
    if (r.done) return { value: r.value, pauses };
    pauses++;
  }
}

/** Bytes that are mostly text, with multi-byte characters, stray continuation bytes, truncated sequences and byte-order marks. */
function mixedBytes(random: (n: number) => number, length: number): Buffer {
  const pieces = ['a', 'json "x": 1, ', 'é', '€', '😀', '\uFEFF', 'ü'].map(s => Buffer.from(s, 'utf8'));
  const broken = [[0x80], [0xbf, 0x80], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80]].map(b => Buffer.from(b));
  const out: Buffer[] = [];
  let n = 0;
  while (n < length) {
    const b = random(10) < 8 ? pieces[random(pieces.length)]! : broken[random(broken.length)]!;
    out.push(b);
    n += b.length;
  }
  return Buffer.concat(out);
}

test('sha256Steps: the digest of the whole, one pause per step after the first', () => {
  const bytes = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251));
  const whole = createHash('sha256').update(bytes).digest('hex');
  for (const step of [1, 7, 4096, 9_999, 10_000, 1 << 20]) {
    const { value, pauses } = run(sha256Steps(bytes, step));
    assert.equal(value, whole, `step ${step}`);
    assert.equal(pauses, Math.ceil(bytes.length / step) - 1, `step ${step}`);
  }
  assert.equal(finish(sha256Steps(Buffer.alloc(0))), createHash('sha256').digest('hex'));
});

test('decodeUtf8Steps: the text Buffer.toString gives, however the bytes are cut', () => {
  const random = seededRandom(17);
  for (let round = 0; round < 300; round++) {
    const bytes = mixedBytes(random, 1 + random(400));
    // A leading byte-order mark stays in the text, as Buffer.toString keeps it.
    if (round % 5 === 0) bytes.set([0xef, 0xbb, 0xbf], 0);
    const step = 1 + random(9);
    const { value, pauses } = run(decodeUtf8Steps(bytes, step));
    assert.equal(value, bytes.toString('utf8'), `round ${round}, step ${step}: ${bytes.toString('hex')}`);
    assert.equal(pauses, Math.max(0, Math.ceil(bytes.length / step) - 1));
  }
  // A view into a larger buffer decodes only its own bytes.
  const big = Buffer.from('xx€yy', 'utf8');
  assert.equal(finish(decodeUtf8Steps(big.subarray(2, 5))), '€');
  assert.equal(finish(decodeUtf8Steps(big.subarray(2, 5), 1)), '€');
});

test('fileDigestsSteps and fileTextsSteps: every file, a pause between files and steps, skipped names left out', () => {
  const files = new Map<string, Buffer>([
    ['a.pol', Buffer.from('package a\n')],
    ['data.json', Buffer.from(JSON.stringify({ users: Array.from({ length: 200 }, (_, i) => `user-é-${i}`) }))],
    ['.signatures.json', Buffer.from('{"signatures":[]}')],
  ]);
  const digests = run(fileDigestsSteps(files, 256));
  assert.deepEqual([...digests.value.keys()], [...files.keys()]);
  for (const [name, content] of files) assert.equal(digests.value.get(name), createHash('sha256').update(content).digest('hex'));
  const stepsOf = (n: number) => Math.max(0, Math.ceil(n / 256) - 1);
  assert.equal(digests.pauses, [...files.values()].reduce((a, b) => a + stepsOf(b.length) + 1, 0));
  const texts = run(fileTextsSteps(files, new Set(['.signatures.json']), 256));
  assert.deepEqual(texts.value, new Map([['a.pol', 'package a\n'], ['data.json', files.get('data.json')!.toString('utf8')]]));
  assert.ok(texts.pauses > 2);
});

test('verifyBundle checks each file against the digest made for it', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const files = await signBundle(new Map([['a.pol', 'package a\n'], ['data.json', '{"x":1}']]), { algorithm: 'ES256', privateKeyPem });
  const key = { algorithm: 'ES256', publicKeyPem };
  const digests = finish(fileDigestsSteps(files));
  await verifyBundle(files, key, digests);
  // A digest made from other bytes is a mismatch, although the file itself matches its signature.
  const wrong = new Map(digests).set('data.json', createHash('sha256').update('{"x":2}').digest('hex'));
  await assert.rejects(verifyBundle(files, key, wrong), /file `data.json` does not match its signed digest/);
});
