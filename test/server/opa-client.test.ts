/** The Data API used by OPA's own npm client, unchanged, over a real listener. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { OPAClient } from '@open-policy-agent/opa';
import { startServer, resolveConfig, type RunningServer } from '../../server/index.js';
import { fixtureCopy } from './helpers.js';

let server: RunningServer;
let cleanup: () => void;
before(async () => {
  const copy = fixtureCopy();
  cleanup = copy.cleanup;
  server = await startServer(resolveConfig({ addr: '127.0.0.1:0', policies: { dir: copy.dir, watch: false } }), { logger: false });
});
after(async () => { await server.close(); cleanup(); });

test('@open-policy-agent/opa evaluates through /v1/data', async () => {
  const client = new OPAClient(server.url);
  assert.equal(await client.evaluate('rbac/allow', { user: 'bob', action: 'read', resource: { type: 'document' } }), true);
  assert.equal(await client.evaluate('rbac/allow', { user: 'bob', action: 'write', resource: { type: 'document' } }), false);
  assert.deepEqual(await client.evaluate('rbac/reasons', { user: 'bob', action: 'write', resource: { type: 'document' } }), ['user bob may not write']);
  const roles = await client.evaluate<Record<string, never>, Record<string, string[]>>('roles');
  assert.deepEqual(roles.bob, ['reader']);
});

test('the OPA client\'s queries are answered by the direct lane of a started server', async () => {
  const client = new OPAClient(server.url);
  const before = server.app.pol.directLane.served;
  assert.equal(server.app.pol.directLane.isOpen, true);
  assert.equal(await client.evaluate('rbac/allow', { user: 'bob', action: 'read', resource: { type: 'document' } }), true);
  assert.equal(server.app.pol.directLane.served, before + 1);
});

test('an undefined document comes back undefined; the default decision goes through POST /', async () => {
  const client = new OPAClient(server.url);
  assert.equal(await client.evaluate('rbac/nothing', {}), undefined);
  assert.equal(await client.evaluateDefault({ user: 'alice', action: 'write', resource: { type: 'document' } }), true);
});
