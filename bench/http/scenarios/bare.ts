/** The ceiling: a bare fastify route that parses the same body and answers the same JSON as a cached `/v1/decide`. */
import { BENCH_INPUT } from '../policy.js';
import { JSON_HEADERS, type HttpScenario } from '../scenario.js';

export const scenario: HttpScenario = {
  id: 'bare',
  title: 'bare fastify route (same body, same JSON answer)',
  order: 0,
  server: 'bare',
  request: { path: '/bare', method: 'POST', headers: { ...JSON_HEADERS }, body: JSON.stringify({ path: 'bench/allow', input: BENCH_INPUT }) },
};
