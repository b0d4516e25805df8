import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeApp, json } from './helpers.js';
import { loadDirectory } from '../../server/policy-store/directory.js';

let app: FastifyInstance;
let close: () => Promise<void>;
before(async () => ({ app, close } = await makeApp({ decision_log: { enabled: false } })));
after(() => close());

const bob = { user: 'bob', action: 'read', resource: { type: 'document' } };

test('POST /v1/data/{path} answers in OPA\'s shape, also for a curl -d (form-encoded) body', async () => {
  const r = await app.inject({ method: 'POST', url: '/v1/data/rbac/allow', payload: JSON.stringify({ input: bob }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(r.statusCode, 200);
  assert.match(String(r.headers['content-type']), /^application\/json/);
  assert.deepEqual(json(r.body), { result: true });
  const denied = await app.inject({ method: 'POST', url: '/v1/data/rbac/allow', payload: { input: { ...bob, action: 'write' } } });
  assert.deepEqual(json(denied.body), { result: false });
});

test('an undefined document gives {} (no result key); decision_id only when logging is on', async () => {
  const r = await app.inject({ method: 'POST', url: '/v1/data/rbac/no_such_rule', payload: { input: bob } });
  assert.equal(r.statusCode, 200);
  assert.deepEqual(json(r.body), {});
});

test('GET /v1/data/{path}?input= parses the input parameter, and rejects bad JSON with 400', async () => {
  const r = await app.inject({ method: 'GET', url: `/v1/data/rbac/allow?input=${encodeURIComponent(JSON.stringify(bob))}` });
  assert.deepEqual(json(r.body), { result: true });
  const bad = await app.inject({ method: 'GET', url: '/v1/data/rbac/allow?input=%7Bnope' });
  assert.equal(bad.statusCode, 400);
  assert.equal(json(bad.body).code, 'invalid_parameter');
});

test('the whole package and data documents are reachable', async () => {
  const r = await app.inject({ method: 'POST', url: '/v1/data/roles', payload: {} });
  assert.deepEqual(json(r.body).result, { alice: ['admin'], bob: ['reader'] });
  const pkg = await app.inject({ method: 'POST', url: '/v1/data/rbac', payload: { input: bob } });
  assert.equal(json(pkg.body).result.allow, true);
});

test('POST /v0/data returns the bare value and 404 when undefined; POST / is data.system.main', async () => {
  const r = await app.inject({ method: 'POST', url: '/v0/data/rbac/allow', payload: bob });
  assert.equal(r.statusCode, 200);
  assert.equal(r.body, 'true');
  const missing = await app.inject({ method: 'POST', url: '/v0/data/rbac/nothing', payload: bob });
  assert.equal(missing.statusCode, 404);
  assert.deepEqual(json(missing.body), { code: 'undefined_document', message: 'document missing: data/rbac/nothing' });
  const main = await app.inject({ method: 'POST', url: '/', payload: bob });
  assert.equal(main.statusCode, 200);
  assert.equal(main.body, 'true');
});

test('?metrics, ?explain=full, ?pretty and ?provenance add OPA\'s optional fields', async () => {
  const r = await app.inject({ method: 'POST', url: '/v1/data/rbac/allow?metrics=true&explain=full&provenance', payload: { input: { ...bob, action: 'write' } } });
  const body = json(r.body);
  assert.equal(body.result, false);
  assert.equal(typeof body.metrics.timer_rego_query_eval_ns, 'number');
  assert.equal(typeof body.metrics.timer_server_handler_ns, 'number');
  assert.ok(Array.isArray(body.explanation));
  assert.ok(body.explanation.some((l: string) => l.startsWith('data.rbac.allow = false')), body.explanation.join('\n'));
  assert.ok(body.explanation.some((l: string) => l.includes('user bob may not write')));
  // Each body the decision tried, with the expression where it stopped.
  assert.ok(body.explanation.some((l: string) => /^trace: data\.rbac\.allow \(body at \S+:\d+\) stopped at \S+:\d+:\d+: \S/.test(l)), body.explanation.join('\n'));
  const fails = json((await app.inject({ method: 'POST', url: '/v1/data/rbac/allow?explain=fails', payload: { input: { ...bob, action: 'write' } } })).body);
  assert.ok(fails.explanation.length > 0 && fails.explanation.every((l: string) => !l.endsWith(' held')), fails.explanation.join('\n'));
  const held = json((await app.inject({ method: 'POST', url: '/v1/data/rbac/allow?explain=full', payload: { input: bob } })).body);
  assert.ok(held.explanation.some((l: string) => /^trace: data\.rbac\.allow \(body at \S+\) held$/.test(l)), held.explanation.join('\n'));
  assert.equal(typeof body.provenance.revision, 'string');
  const pretty = await app.inject({ method: 'POST', url: '/v1/data/rbac/allow?pretty=true', payload: { input: bob } });
  assert.equal(pretty.body, '{\n  "result": true\n}');
  // OPA ignores an explain mode it does not know.
  const badExplain = await app.inject({ method: 'POST', url: '/v1/data/rbac/allow?explain=everything', payload: { input: bob } });
  assert.equal(badExplain.statusCode, 200);
  assert.equal(json(badExplain.body).explanation, undefined);
});

test('malformed requests are JSON errors with the right status, never a crash', async () => {
  const cases: [string, string | Buffer, number][] = [
    ['bad JSON', '{"input":', 400],
    ['not an object', '[1,2]', 400],
    ['nested deeper than the limit', '{"input":' + '['.repeat(10_000) + ']'.repeat(10_000) + '}', 400],
    ['over the body limit', JSON.stringify({ input: 'x'.repeat(1_100_000) }), 413],
    ['a number beyond a 64-bit float', '{"input":{"x":1e400}}', 400],
  ];
  for (const [what, payload, status] of cases) {
    const r = await app.inject({ method: 'POST', url: '/v1/data/rbac/allow', payload, headers: { 'content-type': 'application/json' } });
    assert.equal(r.statusCode, status, what);
    const body = json(r.body);
    assert.equal(typeof body.code, 'string', what);
    assert.equal(typeof body.message, 'string', what);
  }
  const head = await app.inject({ method: 'HEAD', url: '/v1/data/rbac/allow' });
  assert.equal(head.statusCode, 405);
  assert.equal(head.headers.allow, 'GET, POST, PUT, PATCH, DELETE');
});

test('document paths are remembered by URL, boundedly: every path still reads as its own, errors every time', async () => {
  const allow = () => app.inject({ method: 'POST', url: '/v1/data/rbac/allow', payload: { input: { user: 'bob', action: 'read', resource: { type: 'document' } } } });
  assert.deepEqual(json((await allow()).body), { result: true });
  for (let i = 0; i < 300; i++) {
    const r = await app.inject({ method: 'POST', url: `/v1/data/rbac/nothing_${i}`, payload: { input: {} } });
    assert.deepEqual(json(r.body), {}, `path ${i}`);
  }
  assert.deepEqual(json((await allow()).body), { result: true });
  // The same document by another spelling of its URL, and a segment with a slash in it (another document).
  assert.deepEqual(json((await app.inject({ method: 'POST', url: '/v1/data/rbac/%61llow', payload: { input: { user: 'bob', action: 'read', resource: { type: 'document' } } } })).body), { result: true });
  assert.deepEqual(json((await app.inject({ method: 'POST', url: '/v1/data/rbac%2Fallow', payload: { input: {} } })).body), {});
  for (let i = 0; i < 2; i++) {
    const bad = await app.inject({ method: 'POST', url: '/v1/data/rbac/%E0%A4%A', payload: { input: {} } });
    assert.equal(bad.statusCode, 400);
  }
});

test('a known path asked with another method is a 405 naming the methods it takes; an unknown path a 404', async () => {
  const cases: [string, string, string][] = [
    ['GET', '/v1/decide', 'POST'],
    ['DELETE', '/v1/decide', 'POST'],
    ['PATCH', '/access/v1/evaluation', 'POST'],
    ['PUT', '/health', 'GET, HEAD'],
    ['POST', '/v1/policies', 'GET'],
    ['PATCH', '/v1/policies/x.pol', 'GET, PUT, DELETE'],
    ['GET', '/access/v1/evaluations', 'POST'],
  ];
  for (const [method, url, allow] of cases) {
    const r = await app.inject({ method: method as 'GET', url });
    assert.equal(r.statusCode, 405, `${method} ${url}`);
    assert.equal(r.headers.allow, allow, `${method} ${url}`);
    const body = json(r.body);
    assert.equal(body.code, 'method_not_allowed');
    assert.match(body.message, new RegExp(`^${method} is not allowed on `));
  }
  const missing = await app.inject({ method: 'GET', url: '/v1/nothing-here?x=1' });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.headers.allow, undefined);
  assert.equal(json(missing.body).code, 'not_found');
  // Whatever the body: it is not read for a request no route answers.
  const bodies = { 'content-type': 'application/json' };
  const badJson = await app.inject({ method: 'POST', url: '/v1/nothing-here', payload: '{not json', headers: bodies });
  assert.equal(badJson.statusCode, 404);
  const huge = await app.inject({ method: 'POST', url: '/v1/nothing-here', payload: 'x'.repeat(2 * 1024 * 1024), headers: bodies });
  assert.equal(huge.statusCode, 404);
  const wrongMethod = await app.inject({ method: 'PUT', url: '/v1/decide', payload: '{not json', headers: bodies });
  assert.equal(wrongMethod.statusCode, 405);
});

test('__proto__ and constructor in input are plain keys: no pollution, no inherited matches', async () => {
  const payload = '{"input":{"__proto__":{"user":"alice","polluted":true},"constructor":{"prototype":{"polluted":true}},"action":"read","resource":{"type":"document"}}}';
  const r = await app.inject({ method: 'POST', url: '/v1/data/rbac/allow', payload, headers: { 'content-type': 'application/json' } });
  assert.equal(r.statusCode, 200);
  // `input.user` is not inherited from the `__proto__` key: alice's grant must not apply.
  assert.deepEqual(json(r.body), { result: false });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
});

test('big integers survive the round trip exactly', async () => {
  const r = await app.inject({ method: 'POST', url: '/v1/data/echo/value', payload: '{"input":{"n":123456789012345678901234567890}}', headers: { 'content-type': 'application/json' } });
  assert.equal(r.statusCode, 200);
  assert.equal(r.body, '{"result":{"n":123456789012345678901234567890}}');
});

test('unknown routes are JSON 404s', async () => {
  const r = await app.inject({ method: 'GET', url: '/v2/whatever' });
  assert.equal(r.statusCode, 404);
  assert.equal(json(r.body).code, 'not_found');
});

test('gzip request bodies are accepted (bounded after decompression); other encodings are 415', async () => {
  const { gzipSync } = await import('node:zlib');
  const body = gzipSync(Buffer.from(JSON.stringify({ input: bob })));
  const r = await app.inject({ method: 'POST', url: '/v1/data/rbac/allow', payload: body, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
  assert.deepEqual(json(r.body), { result: true });
  const bomb = gzipSync(Buffer.from(JSON.stringify({ input: 'x'.repeat(5_000_000) })));
  const big = await app.inject({ method: 'POST', url: '/v1/data/rbac/allow', payload: bomb, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
  assert.equal(big.statusCode, 413);
  const br = await app.inject({ method: 'POST', url: '/v1/data/rbac/allow', payload: 'x', headers: { 'content-type': 'application/json', 'content-encoding': 'br' } });
  assert.equal(br.statusCode, 415);
  assert.equal(json(br.body).code, 'unsupported_media_type');
});

// `limits.eval_timeout_ms` is per request. Each `sN` loops ~10^10 times, far past any deadline;
// `main` is cheap, so the decision is made in time and only the explanation runs out.
const TIMEOUT_MS = 100;
const TOKEN = 'secret-token-0123456789';
const SLOW = 'package slow\n\nmain := true\n' + Array.from({ length: 10 }, (_, n) =>
  `s${n + 1} if {\n\tsome i in numbers.range(1, 100000)\n\tsome j in numbers.range(1, 100000)\n\ti == j + input.k + ${n + 1}\n}\n`).join('');

async function appWith(id: string, source: string, limits: Record<string, unknown> = {}) {
  const made = await makeApp({ limits: { eval_timeout_ms: TIMEOUT_MS, ...limits }, policy_api: { writable: true, token: TOKEN } });
  const put = await made.app.inject({ method: 'PUT', url: `/v1/policies/${id}`, payload: source, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' } });
  assert.equal(put.statusCode, 200, put.body);
  return made;
}

test('?explain shares the request\'s deadline: slow rules stop the explanation, not the server', async () => {
  const { app: slow, close: closeSlow } = await appWith('slow.pol', SLOW);
  try {
    for (const mode of ['full', 'fails']) {
      const t0 = Date.now();
      const r = await slow.inject({ method: 'POST', url: `/v1/data/slow/main?explain=${mode}`, payload: { input: { k: 1_000_000 } } });
      const ms = Date.now() - t0;
      assert.equal(r.statusCode, 200, r.body);
      const body = json(r.body);
      assert.equal(body.result, true, 'the decision, made in time, is answered');
      // Without one deadline per request each of the 10 rules takes a whole timeout (~10x).
      assert.ok(ms < 4 * TIMEOUT_MS, `explain=${mode} took ${ms} ms`);
      const last = body.explanation[body.explanation.length - 1];
      assert.match(last, /^explanation cut short: the request's deadline \(limits\.eval_timeout_ms = 100 ms\) passed; \d+ of 11 rules and the trace not evaluated$/, body.explanation.join('\n'));
    }
    // A decision that itself runs out of time still fails closed.
    const t0 = Date.now();
    const r = await slow.inject({ method: 'POST', url: '/v1/data/slow/s1?explain=full', payload: { input: { k: 1_000_000 } } });
    assert.equal(r.statusCode, 500);
    // OPA's shape: the evaluation's own error listed under `errors`.
    assert.equal(json(r.body).code, 'internal_error');
    assert.equal(json(r.body).message, 'error(s) occurred while evaluating query');
    assert.equal(json(r.body).errors[0].code, 'eval_cancel_error');
    assert.match(json(r.body).errors[0].message, /evaluation deadline exceeded$/);
    assert.ok(Date.now() - t0 < 4 * TIMEOUT_MS);
  } finally { await closeSlow(); }
});

test('an explanation has at most 1000 lines, the last one counting those left out', async () => {
  const many = 'package many\n\n' + Array.from({ length: 1200 }, (_, n) => `r${n} := ${n}\n`).join('');
  const { app: big, close: closeBig } = await appWith('many.pol', many, { eval_timeout_ms: 10_000 });
  try {
    const body = json((await big.inject({ method: 'POST', url: '/v1/data/many/r0?explain=full', payload: { input: {} } })).body);
    assert.equal(body.result, 0);
    assert.equal(body.explanation.length, 1000);
    assert.match(body.explanation[998], /^data\.many\.r\d+ = \d+    \(many\.pol:\d+\)$/);
    // 1200 rule lines and one trace line for `r0`'s body: 999 shown, 202 left out.
    assert.equal(body.explanation[999], '... 202 more lines left out (an explanation has at most 1000 lines)');
  } finally { await closeBig(); }
});

test('an explanation lists the package\'s rules with their values, not its functions (no value without arguments); their bodies show in the trace', async () => {
  const src = 'package fns\n\nimport rego.v1\n\nallowed(m) if m in {"GET", "HEAD"}\n\nallow if allowed(input.method)\n\nlabel := "fns"\n';
  const { app: fns, close: closeFns } = await appWith('fns.pol', src, { eval_timeout_ms: 10_000 });
  try {
    const body = json((await fns.inject({ method: 'POST', url: '/v1/data/fns/allow?explain=full', payload: { input: { method: 'GET' } } })).body);
    assert.equal(body.result, true);
    assert.ok(body.explanation.includes('data.fns.allow = true    (fns.pol:7)'), body.explanation.join('\n'));
    assert.ok(body.explanation.includes('data.fns.label = "fns"    (fns.pol:9)'), body.explanation.join('\n'));
    assert.ok(!body.explanation.some((l: string) => l.startsWith('data.fns.allowed =')), body.explanation.join('\n'));
    assert.ok(body.explanation.some((l: string) => /^trace: data\.fns\.allowed \(body at fns\.pol:5\) held$/.test(l)), body.explanation.join('\n'));
  } finally { await closeFns(); }
});

test('Data API paths are read as OPA reads them: one key per segment, digits as array indices', async () => {
  const { app: a, dir, close: closeA } = await makeApp();
  try {
    writeFileSync(join(dir, 'paths.pol'), 'package paths\n\nimport rego.v1\n\nlist := ["zero", "one"]\n\nallow := true\n');
    writeFileSync(join(dir, 'data.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(dir, 'data.json'), 'utf8')), 'example.org': { ok: 1 }, keys: { 'a/b': 2, 'x.y': 3 } }));
    assert.ok(loadDirectory(a.pol.store, dir));
    const get = async (url: string) => { const r = await a.inject({ method: 'GET', url }); return { status: r.statusCode, body: json(r.body) }; };
    assert.deepEqual((await get('/v1/data/paths/list/1')).body, { result: 'one' });
    assert.deepEqual((await get('/v1/data/paths/list/2')).body, {});
    assert.deepEqual((await get('/v1/data/keys/a%2Fb')).body, { result: 2 });
    assert.deepEqual((await get('/v1/data/keys/x.y')).body, { result: 3 });
    assert.deepEqual((await get('/v1/data/example.org')).body, { result: { ok: 1 } });
    // The dotted form and a `data` prefix are not Data API paths (OPA answers undefined).
    assert.deepEqual((await get('/v1/data/paths.allow')).body, {});
    assert.deepEqual((await get('/v1/data/data/paths/allow')).body, {});
    assert.deepEqual((await get('/v1/data/paths/allow')).body, { result: true });
    const v0 = await a.inject({ method: 'POST', url: '/v0/data/paths/list/0', payload: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(v0.statusCode, 200);
    assert.equal(json(v0.body), 'zero');
    const missing = await a.inject({ method: 'POST', url: '/v0/data/keys/a%2Fc', payload: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(missing.statusCode, 404);
    assert.match(json(missing.body).message, /data\["keys"\]\["a\/c"\]/);
    assert.equal((await get('/v1/data/keys/%zz')).status, 400);
  } finally { await closeA(); }
});

test('evaluation errors answer in OPA\'s shape: internal_error with the error, its code once, and where it arose', async () => {
  const conflict = 'package errs\n\nimport rego.v1\n\nc := 1 if input.x\n\nc := 2 if input.x\n';
  const { app: e, close: closeE } = await appWith('errs.pol', conflict);
  try {
    const r = await e.inject({ method: 'POST', url: '/v1/data/errs/c', payload: { input: { x: true } } });
    assert.equal(r.statusCode, 500);
    const body = json(r.body);
    assert.equal(body.code, 'internal_error');
    assert.equal(body.message, 'error(s) occurred while evaluating query');
    assert.equal(body.errors.length, 1);
    assert.equal(body.errors[0].code, 'eval_conflict_error');
    // The engine's text and place as they are, not read back out of a rendered message.
    assert.deepEqual(body.errors[0], { code: 'eval_conflict_error', message: 'rule data.errs.c produced conflicting values', location: { file: 'errs.pol', row: 7, col: 1 } });
  } finally { await closeE(); }
  const { app: none, close: closeNone } = await makeApp({ policies: { dir: '/nonexistent/pol-policies' } });
  try {
    const r = await none.inject({ method: 'POST', url: '/v1/data/x', payload: { input: {} } });
    assert.equal(r.statusCode, 503);
    assert.equal(json(r.body).code, 'not_ready');
  } finally { await closeNone(); }
});

test('OPA\'s smaller habits: flags in any case, unknown explain modes ignored, a usage warning without `input`, POST /v0/data', async () => {
  const { app: a, close: closeA } = await makeApp();
  try {
    const pretty = await a.inject({ method: 'POST', url: '/v1/data/rbac/allow?pretty=TRUE', payload: { input: { user: 'bob', action: 'read', resource: { type: 'document' } } } });
    assert.match(pretty.body, /\n {2}"result": true/);
    const bogus = await a.inject({ method: 'POST', url: '/v1/data/rbac/allow?explain=bogus', payload: { input: { user: 'bob', action: 'read', resource: { type: 'document' } } } });
    assert.equal(bogus.statusCode, 200);
    assert.deepEqual(json(bogus.body), { result: true });
    const noInput = json((await a.inject({ method: 'POST', url: '/v1/data/rbac/allow', payload: {} })).body);
    assert.deepEqual(noInput.warning, { code: 'api_usage_warning', message: "'input' key missing from the request" });
    assert.equal(noInput.result, false);
    const whole = await a.inject({ method: 'POST', url: '/v0/data', payload: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(whole.statusCode, 200);
    assert.equal(typeof json(whole.body).rbac, 'object');
  } finally { await closeA(); }
});

test('?explain lists the queried package by keys: rules under quoted keys are evaluated, a package sharing a name prefix is left out', async () => {
  const { app: quoted, close: closeQuoted } = await makeApp({ policy_api: { writable: true, token: 'explain-test-token-0123' } });
  try {
    const put = async (id: string, source: string) => {
      const r = await quoted.inject({ method: 'PUT', url: `/v1/policies/${id}`, payload: source, headers: { authorization: 'Bearer explain-test-token-0123', 'content-type': 'text/plain' } });
      assert.equal(r.statusCode, 200, r.body);
    };
    await put('expl.pol', 'package expl\n\nimport rego.v1\n\nallow := true\n');
    await put('expl-quoted.pol', 'package expl["a.b"]\n\nimport rego.v1\n\nr := 2\n');
    await put('explx.pol', 'package explx\n\nimport rego.v1\n\nz := 3\n');
    const lines: string[] = json((await quoted.inject({ method: 'POST', url: '/v1/data/expl/allow?explain=full', payload: { input: {} } })).body).explanation;
    assert.ok(lines.includes('data.expl.allow = true    (expl.pol:5)'), lines.join('\n'));
    assert.ok(lines.includes('data.expl["a.b"].r = 2    (expl-quoted.pol:5)'), lines.join('\n'));
    assert.ok(!lines.some(l => l.includes('explx')), lines.join('\n'));
  } finally { await closeQuoted(); }
});
