import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { makeApp, json } from './helpers.js';

let app: FastifyInstance;
let close: () => Promise<void>;
before(async () => ({ app, close } = await makeApp({ authzen: { path: 'authzen/allow' } })));
after(() => close());

const req = (subject: string, action: string) => ({ subject: { type: 'user', id: subject }, action: { name: action }, resource: { type: 'document', id: '1' } });

test('POST /access/v1/evaluation maps the request to the configured policy', async () => {
  const r = await app.inject({ method: 'POST', url: '/access/v1/evaluation', payload: req('bob', 'read'), headers: { 'x-request-id': 'abc-1' } });
  assert.equal(r.statusCode, 200);
  assert.deepEqual(json(r.body), { decision: true });
  assert.equal(r.headers['x-request-id'], 'abc-1');
  assert.deepEqual(json((await app.inject({ method: 'POST', url: '/access/v1/evaluation', payload: req('bob', 'write') })).body), { decision: false });
});

test('malformed AuthZEN requests are 400s', async () => {
  for (const payload of [{ subject: { id: 'x' }, action: { name: 'a' }, resource: { type: 't', id: '1' } }, { ...req('a', 'b'), action: 'read' }, { ...req('a', 'b'), context: [] }]) {
    const r = await app.inject({ method: 'POST', url: '/access/v1/evaluation', payload });
    assert.equal(r.statusCode, 400, JSON.stringify(payload));
    assert.equal(json(r.body).code, 'invalid_parameter');
  }
});

test('batches inherit top-level fields and honour evaluations_semantic', async () => {
  const base = { subject: { type: 'user', id: 'bob' }, resource: { type: 'document', id: '1' } };
  const evaluations = [{ action: { name: 'read' } }, { action: { name: 'write' } }, { action: { name: 'read' } }];
  const all = json((await app.inject({ method: 'POST', url: '/access/v1/evaluations', payload: { ...base, evaluations } })).body);
  assert.deepEqual(all, { evaluations: [{ decision: true }, { decision: false }, { decision: true }] });
  const denyFirst = json((await app.inject({ method: 'POST', url: '/access/v1/evaluations', payload: { ...base, evaluations, options: { evaluations_semantic: 'deny_on_first_deny' } } })).body);
  assert.deepEqual(denyFirst, { evaluations: [{ decision: true }, { decision: false }] });
  const permitFirst = json((await app.inject({ method: 'POST', url: '/access/v1/evaluations', payload: { ...base, evaluations, options: { evaluations_semantic: 'permit_on_first_permit' } } })).body);
  assert.deepEqual(permitFirst, { evaluations: [{ decision: true }] });
  const bad = await app.inject({ method: 'POST', url: '/access/v1/evaluations', payload: { ...base, evaluations, options: { evaluations_semantic: 'whatever' } } });
  assert.equal(bad.statusCode, 400);
  const tooMany = await app.inject({ method: 'POST', url: '/access/v1/evaluations', payload: { ...base, evaluations: new Array(101).fill({ action: { name: 'read' } }) } });
  assert.equal(tooMany.statusCode, 400);
});

test('the discovery document names both endpoints', async () => {
  const r = json((await app.inject({ method: 'GET', url: '/.well-known/authzen-configuration' })).body);
  assert.match(r.access_evaluation_endpoint, /\/access\/v1\/evaluation$/);
  assert.match(r.access_evaluations_endpoint, /\/access\/v1\/evaluations$/);
});
