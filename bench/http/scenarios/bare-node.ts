/**
 * A second ceiling: a bare Node route with no framework, same body and same JSON answer. pol
 * answers `/v1/decide` before fastify's router (its direct lane), so this shows what is left
 * between pol and no framework at all; the targets stay against the bare fastify route.
 */
import { BENCH_INPUT } from '../policy.js';
import { JSON_HEADERS, type HttpScenario } from '../scenario.js';
import { startBareNode } from '../servers.js';

export const scenario: HttpScenario = {
  id: 'bare-node',
  title: 'bare Node route, no framework (same body, same JSON answer)',
  order: 5,
  server: startBareNode,
  request: { path: '/bare', method: 'POST', headers: { ...JSON_HEADERS }, body: JSON.stringify({ path: 'bench/allow', input: BENCH_INPUT }) },
};
