/**
 * The benchmark workloads' agreement check (no timing): every engine must decide a small request
 * set exactly as the hand-written floor does, so `npm test` catches a disagreement between engines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAgreement, describeDisagreement, decisionString } from '../../bench/engine/agree.js';
import { makeWorkload } from '../../bench/engine/workloads/index.js';

const REQUESTS = 96;
// scale-10000 takes seconds to set up in every engine; its shape is the same as scale-1000's.
const WORKLOADS = ['rbac', 'abac', 'contextual', 'scale-200', 'scale-1000'];

for (const id of WORKLOADS) {
  test(`${id}: every engine agrees with the floor`, async () => {
    const workload = makeWorkload(id);
    const disagreements = await checkAgreement(workload, REQUESTS);
    assert.deepEqual(disagreements.map(describeDisagreement), []);
  });
}

test('request sets mix allows and denies, so agreement means something', async () => {
  for (const id of WORKLOADS) {
    const workload = makeWorkload(id);
    const decisions = decisionString(await workload.engines.floor(), workload.requests(REQUESTS));
    assert.match(decisions, /1/, `${id} has no allowed request`);
    assert.match(decisions, /0/, `${id} has no denied request`);
  }
});

test('request sets are deterministic', () => {
  for (const id of WORKLOADS) assert.deepEqual(makeWorkload(id).requests(20), makeWorkload(id).requests(20));
});
