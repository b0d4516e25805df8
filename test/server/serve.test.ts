import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runServe } from '../../cli/serve.js';
import { fixtureCopy, serveIO } from './helpers.js';


test('pol serve listens, prints a curl line per API, answers, and stops cleanly', async () => {
  const { dir, cleanup } = fixtureCopy();
  const t = serveIO();
  try {
    const done = runServe(['--policies', dir, '--addr', '127.0.0.1:0', '--no-watch'], t.io);
    const url = await t.url;
    const r = await fetch(`${url}/v1/data/rbac/allow`, { method: 'POST', body: JSON.stringify({ input: { user: 'bob', action: 'read', resource: { type: 'document' } } }) });
    assert.deepEqual(await r.json(), { result: true });
    for (const api of ['/v1/decide', '/v1/data/', '/v0/data/', '/access/v1/evaluation', '/v1/forward-auth', '/v1/ext-authz/', '/v1/policies', '/metrics']) {
      assert.ok(t.out().includes(`curl -s`) && t.out().includes(api), `banner mentions ${api}`);
    }
    t.stop();
    assert.equal(await done, 0);
  } finally { cleanup(); }
});

test('pol serve reports configuration mistakes as usage errors', async () => {
  const t = serveIO();
  assert.equal(await runServe(['--bogus'], t.io), 2);
  assert.match(t.err(), /pol serve: unknown option '--bogus'/i);
  const u = serveIO();
  assert.equal(await runServe([], u.io), 2);
  assert.match(u.err(), /nothing to serve/);
  const v = serveIO();
  assert.equal(await runServe(['--policies', '.', '--addr', 'nope'], v.io), 2);
  assert.match(v.err(), /addr/);
});
