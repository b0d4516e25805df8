/** The checks every forward-auth proxy must pass, whatever its configuration language. */
import assert from 'node:assert/strict';
import { get, type Stack } from './harness.js';

export async function checkProxy(stack: Stack): Promise<void> {
  const port = stack.proxyPort;
  const last = () => stack.seen[stack.seen.length - 1]!;

  // Allow: the upstream is reached and sees the identity the policy decided.
  let n = stack.seen.length;
  const ok = await get(port, '/docs/1?x=1', { authorization: 'Bearer bob-token' });
  assert.equal(ok.status, 200, ok.body);
  assert.equal(stack.seen.length, n + 1);
  assert.equal(last().url, '/docs/1?x=1');
  assert.equal(last().headers['x-user'], 'bob');
  assert.equal(last().headers['x-user-roles'], 'reader');
  assert.equal(last().headers['x-tenant'], 'acme');

  // Deny 403 (authenticated, not allowed) and 401 (no credentials): the upstream is not reached.
  n = stack.seen.length;
  const forbidden = await get(port, '/admin/users', { authorization: 'Bearer bob-token' });
  assert.equal(forbidden.status, 403);
  const unauth = await get(port, '/docs/1');
  assert.equal(unauth.status, 401);
  assert.equal(stack.seen.length, n, 'denied requests never reach the upstream');

  // Spoofed identity headers from the client never reach the upstream: overwritten when the
  // decision names an identity...
  const spoofed = await get(port, '/docs/2', { authorization: 'Bearer bob-token', 'x-user': 'alice', 'x-user-roles': 'admin', 'x-tenant': 'evil' });
  assert.equal(spoofed.status, 200);
  assert.equal(last().headers['x-user'], 'bob');
  assert.equal(last().headers['x-user-roles'], 'reader');
  assert.equal(last().headers['x-tenant'], 'acme');

  // ...and removed or emptied when it names none (anonymous access to /public).
  const anon = await get(port, '/public/page', { 'x-user': 'alice', 'x-user-roles': 'admin', 'x-tenant': 'evil' });
  assert.equal(anon.status, 200, anon.body);
  for (const h of ['x-user', 'x-user-roles', 'x-tenant']) {
    const v = last().headers[h];
    assert.ok(v === undefined || v === '', `${h} reached the upstream as ${JSON.stringify(v)}`);
  }

  // The hop-by-hop trick (Connection: naming the identity header) does not smuggle a value through.
  const hop = await get(port, '/public/page', { connection: 'keep-alive, x-user', 'x-user': 'alice' });
  assert.equal(hop.status, 200);
  const v = last().headers['x-user'];
  assert.ok(v === undefined || v === '', `x-user reached the upstream as ${JSON.stringify(v)}`);

  // A client's own copy of either pair of original-request headers never decides: each proxy
  // sets one pair and passes the other on (Caddy forwards a client's X-Original-URI).
  n = stack.seen.length;
  const spoofs: Record<string, string>[] = [{ 'x-original-uri': '/docs/1', 'x-original-method': 'GET' }, { 'x-forwarded-uri': '/docs/1', 'x-forwarded-method': 'GET' }];
  for (const spoof of spoofs) {
    const r = await get(port, '/admin/users', { authorization: 'Bearer bob-token', ...spoof });
    assert.notEqual(r.status, 200, `decided on the client's ${Object.keys(spoof).join(', ')}`);
  }
  assert.equal(stack.seen.length, n, 'a request with spoofed original-request headers never reaches the upstream');

  // A dot-segment path is judged as the upstream will see it.
  const dots = await get(port, '/docs/%2e%2e/admin/users', { authorization: 'Bearer bob-token' });
  assert.notEqual(dots.status, 200);
}
